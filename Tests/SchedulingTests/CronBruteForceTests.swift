import Foundation
import HeraldCore
import PropertyBased
import Synchronization
import Testing

@testable import Scheduling

/// Next fire times against a minute-by-minute scan of real instants over a year, in zones with
/// ordinary, half-hour and no DST. The scan knows nothing of the algorithm: it walks every UTC
/// minute, asks Foundation for the local time, and applies the contract's DST rule directly.
struct CronBruteForceTests {
    static let zones = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu"]
    static let start = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let minutes = 366 * 24 * 60

    /// Local wall-clock seconds (as if UTC) of every UTC minute of the year, per zone.
    static let localTimes = Mutex<[String: [Int]]>([:])

    static func locals(_ zone: String) -> [Int] {
        if let cached = localTimes.withLock({ $0[zone] }) { return cached }
        let timeZone = TimeZone(identifier: zone)!
        var values = [Int](repeating: 0, count: minutes)
        for index in 0..<minutes {
            let instant = start + index * 60
            values[index] = instant + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
        }
        localTimes.withLock { $0[zone] = values }
        return values
    }

    /// Day-of-month, month and weekday (0 = Sunday) of a local day, from Foundation's calendar.
    struct DayInfo {
        var day: Int
        var month: Int
        var weekday: Int
    }
    static func dayInfo(_ dayIndex: Int, cache: inout [Int: DayInfo]) -> DayInfo {
        if let info = cache[dayIndex] { return info }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.day, .month, .weekday], from: Date(timeIntervalSince1970: Double(dayIndex * 86_400)))
        let info = DayInfo(day: parts.day!, month: parts.month!, weekday: parts.weekday! - 1)
        cache[dayIndex] = info
        return info
    }

    static func matches(_ cron: CronExpression, local: Int, cache: inout [Int: DayInfo]) -> Bool {
        let dayIndex = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let second = local - dayIndex * 86_400
        let info = dayInfo(dayIndex, cache: &cache)
        return cron.matchesTime(hour: second / 3600, minute: second / 60 % 60)
            && cron.matchesDay(day: info.day, month: info.month, weekday: info.weekday)
    }

    /// Fire instants by scanning, per the contract's rule.
    static func scan(_ cron: CronExpression, zone: String, limit: Int) -> [Int] {
        let locals = locals(zone)
        var cache: [Int: DayInfo] = [:]
        var seen = Set<Int>()
        var fires: [Int] = []
        for index in 1..<minutes {
            let instant = start + index * 60
            let local = locals[index]
            let previous = locals[index - 1]
            var fire = false
            if cron.followsRealTime {
                fire = matches(cron, local: local, cache: &cache)
            } else {
                let firstOccurrence = !seen.contains(local)
                fire = firstOccurrence && matches(cron, local: local, cache: &cache)
                if local - previous > 60 {  // a gap: the clock skipped (previous, local)
                    var skipped = previous + 60
                    while skipped < local {
                        if matches(cron, local: skipped, cache: &cache) { fire = true }
                        skipped += 60
                    }
                }
            }
            seen.insert(local)
            if seen.count > 600 { seen = Set(seen.filter { $0 > local - 6 * 3600 }) }
            if fire {
                fires.append(instant)
                if fires.count == limit { break }
            }
        }
        return fires
    }

    /// A random cron field over `range`: *, */n, a, a-b, a,b or a-b/n.
    static func field(_ range: ClosedRange<Int>, maxStep: Int, using generator: inout some RandomNumberGenerator) -> String {
        let a = Int.random(in: range, using: &generator)
        let b = Int.random(in: range, using: &generator)
        let step = Int.random(in: 1...maxStep, using: &generator)
        let (low, high) = (min(a, b), max(a, b))
        switch Int.random(in: 0...5, using: &generator) {
        case 0: return "*/\(step)"
        case 1: return "\(a)"
        case 2: return "\(low)-\(high)"
        case 3: return "\(a),\(b)"
        case 4: return "\(low)-\(high)/\(step)"
        default: return "*"
        }
    }

    /// A random expression that often touches the small hours, where DST changes happen.
    static func expression(seed: Int) -> String {
        var generator = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        var minute = field(0...59, maxStep: 30, using: &generator)
        if minute == "*" { minute = "*/7" }
        let hour =
            Int.random(in: 0...2, using: &generator) == 0
            ? "*/\(Int.random(in: 1...3, using: &generator))" : field(0...4, maxStep: 3, using: &generator)
        // Days are often unrestricted so that the DST days are reached.
        let dom = Bool.random(using: &generator) ? "*" : field(1...31, maxStep: 10, using: &generator)
        let month = Bool.random(using: &generator) ? "*" : field(1...12, maxStep: 4, using: &generator)
        let dow = Bool.random(using: &generator) ? "*" : field(0...7, maxStep: 3, using: &generator)
        return "\(minute) \(hour) \(dom) \(month) \(dow)"
    }

    @Test func nextFiresEqualAMinuteByMinuteScan() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max), Gen.int(in: 0...(Self.zones.count - 1))) { seed, zoneIndex in
            let text = Self.expression(seed: seed)
            guard let cron = try? CronExpression(parsing: text) else { return }
            let zone = Self.zones[zoneIndex]
            let expected = Self.scan(cron, zone: zone, limit: .max)
            let actual = cron.nextFires(
                after: Date(timeIntervalSince1970: Double(Self.start)),
                in: TimeZone(identifier: zone)!,
                count: expected.count
            ).map { Int($0.timeIntervalSince1970) }
            if actual != expected {
                let index = zip(actual, expected).enumerated().first { $1.0 != $1.1 }?.offset ?? min(actual.count, expected.count)
                let show = { (list: [Int]) in index < list.count ? "\(Date(timeIntervalSince1970: Double(list[index])))" : "none" }
                Issue.record(
                    "\(text) in \(zone): fire \(index) is \(show(actual)), the scan says \(show(expected)) (\(actual.count) vs \(expected.count) fires)"
                )
            }
            #expect(zip(actual, actual.dropFirst()).allSatisfy { $0 < $1 }, "not strictly increasing")
        }
    }
}
