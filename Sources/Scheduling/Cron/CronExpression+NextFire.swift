import Foundation
import HeraldCore

extension CronExpression {
    /// How far past the previous fire (or the start) the search for the next fire goes before giving up:
    /// one whole 400-year Gregorian cycle and two days. The bound is per fire, so a rule that fires rarely
    /// answers every fire asked for.
    ///
    /// Whether a day matches depends only on its month, day of month and weekday, and the Gregorian calendar
    /// repeats all three exactly every 400 years (146,097 days, which is 20,871 whole weeks). So a rule with no
    /// matching day in 146,097 consecutive days has none ever, whichever way day of month and day of week
    /// combine (Vixie cron: either may match when neither field starts with `*`, both must otherwise). The
    /// rarest rules that do fire are far inside it: `0 0 29 2 *` waits at most 8 years (2096 to 2104), and a
    /// February 29 that must also be a Sunday (`0 0 29 2 */7`: day of week starts with `*`, so both must
    /// match) up to 40 years (2088 to 2128); with both fields restricted, a matching weekday comes within a
    /// week of any allowed month. The two days more cover the search starting a local day early and a matching
    /// day at the start whose times have already passed.
    public static let searchHorizonDays = 146_097 + 2

    /// The first fire time strictly after `instant`, in `timeZone`; nil when there is none within
    /// ``searchHorizonDays`` (parsing already rejects rules whose days never occur, such as `0 0 30 2 *`).
    ///
    /// DST follows Vixie cron: an expression that ``followsRealTime`` fires at every real
    /// instant whose local time matches (local times skipped by a gap do not fire; a repeated
    /// hour fires in both passes); any other expression is a fixed-time job whose local time,
    /// when skipped by a gap, fires once at the first instant after the gap, and when repeated,
    /// fires once at its first occurrence.
    public func nextFire(after instant: Date, in timeZone: TimeZone) -> Date? {
        nextFires(after: instant, in: timeZone, count: 1).first
    }

    /// The next `count` fire times strictly after `instant`, increasing; fewer only when some fire is
    /// more than ``searchHorizonDays`` after the one before it (or after `instant`).
    ///
    /// - Complexity: O(days searched × matching times per day).
    public func nextFires(after instant: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        nextFires(after: instant, in: timeZone, count: count, horizonDays: Self.searchHorizonDays)
    }

    /// ``nextFires(after:in:count:)`` giving up when `horizonDays` local days pass without a fire.
    func nextFires(after instant: Date, in timeZone: TimeZone, count: Int, horizonDays: Int) -> [Date] {
        guard count > 0 else { return [] }
        let start = Int(instant.timeIntervalSince1970.rounded(.down))
        let resolver = LocalTimeResolver(timeZone: timeZone)
        let localStart = start + resolver.offset(at: start)
        // Start a day early: a local time of yesterday can map to an instant after `instant` near a transition.
        var day = CivilDay(index: floorDivide(localStart, 86_400) - 1)
        var lastDay = day.index + horizonDays
        var fires: [Date] = []
        var last = instant.timeIntervalSince1970
        while fires.count < count, day.index <= lastDay {
            let (_, month, dayOfMonth) = day.components
            if matchesDay(day: dayOfMonth, month: month, weekday: day.weekday) {
                var instants: [Int] = []
                for hour in 0..<24 where hours & (1 << hour) != 0 {
                    for minute in 0..<60 where minutes & (1 << minute) != 0 {
                        let local = day.index * 86_400 + hour * 3600 + minute * 60
                        instants += resolver.instants(forLocal: local, realTime: followsRealTime)
                    }
                }
                instants.sort()
                for candidate in instants where Double(candidate) > last {
                    fires.append(Date(timeIntervalSince1970: Double(candidate)))
                    last = Double(candidate)
                    // The horizon counts from the latest fire, not from the start.
                    lastDay = day.index + horizonDays
                    if fires.count == count { break }
                }
            }
            day.index += 1
        }
        return fires
    }
}

/// Maps local wall-clock times of a time zone to the instants they occur at.
struct LocalTimeResolver {
    let timeZone: TimeZone

    /// Seconds east of UTC at an instant (seconds since 1970).
    func offset(at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
    }

    /// The instants at which the local wall-clock time `local` (seconds since 1970 as if UTC) occurs,
    /// as a job of the given kind should fire for it: one normally; in a repeated hour both (real
    /// time) or the first; in a gap none (real time) or the first instant after the gap.
    func instants(forLocal local: Int, realTime: Bool) -> [Int] {
        // Offsets a day either side bracket any single transition near this time.
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        var valid: [Int] = []
        for candidate in Set([before, after]) {
            let instant = local - candidate
            if offset(at: instant) == candidate { valid.append(instant) }
        }
        valid.sort()
        if valid.count == 1 { return valid }
        if valid.count >= 2 { return realTime ? valid : [valid[0]] }
        // In a gap: the clock jumped over `local`.
        if realTime { return [] }
        return [transition(between: local - after, and: local - before, to: after)]
    }

    /// The first instant in (low, high] whose offset is `target`, by bisection on whole seconds.
    func transition(between low: Int, and high: Int, to target: Int) -> Int {
        var low = low
        var high = high
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == target { high = middle } else { low = middle }
        }
        return high
    }
}
