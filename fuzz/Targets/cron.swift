// libFuzzer target: the cron parser (`CronExpression(parsing:)`) and, for what parses, its next fire times.
import Foundation
import HeraldCore
import Scheduling

let instant = Date(timeIntervalSince1970: 1_772_323_200)  // 2026-03-01T00:00:00Z, near a DST change
let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"].compactMap(TimeZone.init(identifier:))

/// Parses the input as a cron expression; one that parses must give increasing fire times that it matches.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let expression = try? CronExpression(parsing: text) else { return 0 }
    // The description parses back to the same expression.
    guard let again = try? CronExpression(parsing: expression.description), again.minutes == expression.minutes,
        again.hours == expression.hours, again.daysOfMonth == expression.daysOfMonth, again.months == expression.months,
        again.daysOfWeek == expression.daysOfWeek
    else { fatalError("\"\(expression.description)\" (from \"\(text)\") does not parse back to the same expression") }
    let zone = zones[count % zones.count]
    var previous = instant
    for fire in expression.nextFires(after: instant, in: zone, count: 3) {
        precondition(fire > previous, "fire times of \"\(text)\" in \(zone.identifier) do not increase: \(fire) after \(previous)")
        previous = fire
    }
    return 0
}
