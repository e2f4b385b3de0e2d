import Foundation

extension Schedule {
    /// What a daylight-saving change does to one fire of a cron schedule.
    public enum DaylightSavingNote: Sendable, Hashable {
        /// The wanted local time did not exist (clocks went forward from `gapStart` to `gapEnd`, local `HH:mm`): a
        /// fixed-time job fires once, at the first instant after the gap, which is this fire.
        case movedPastGap(gapStart: String, gapEnd: String)
        /// The fire is the first after a skipped hour (clocks went forward): a job that follows real time makes up no
        /// fire for the local times that did not exist.
        case afterSkippedHour(gapStart: String, gapEnd: String)
        /// The fire's local time happens twice (clocks go back at local `repeatEnd` to `repeatStart`): a fixed-time job
        /// fires once, at the first occurrence, which is this fire.
        case firstOfRepeated(repeatStart: String, repeatEnd: String)
        /// The fire is in the repeated hour (clocks went back) and the job follows real time: it fires in both passes;
        /// `pass` is 1 or 2.
        case repeatedHour(pass: Int, repeatStart: String, repeatEnd: String)

        /// One sentence for people: what happens to the clock and what Herald does.
        public var sentence: String {
            switch self {
            case .movedPastGap(let start, let end):
                return "Clocks go forward from \(start) to \(end): the local time asked for does not exist that day, "
                    + "so Herald fires once, at the first instant after the gap."
            case .afterSkippedHour(let start, let end):
                return "Clocks go forward from \(start) to \(end): the local times in between do not exist "
                    + "and Herald makes up no fire for them."
            case .firstOfRepeated(let start, let end):
                return "Clocks go back from \(end) to \(start): this local time happens twice, "
                    + "and Herald fires once, at its first occurrence."
            case .repeatedHour(let pass, let start, let end):
                return "Clocks go back from \(end) to \(start): the hour happens twice and this rule follows real time, "
                    + "so Herald fires in both passes (this is pass \(pass))."
            }
        }
    }

    /// The daylight-saving note on `fire` (a fire of this schedule), or nil when no clock change touches it.
    ///
    /// The rules are Vixie cron's (see ``CronExpression``): a fixed-time expression fires once when its local time is
    /// skipped (at the first instant after the gap) or repeated (at the first occurrence); an expression whose minute
    /// or hour field starts with `*` follows real time. Only cron rules get notes.
    ///
    /// - Complexity: O(1): looks at the zone's transitions within three hours of the fire.
    public func daylightSavingNote(for fire: Date) -> DaylightSavingNote? {
        let expression: CronExpression
        switch rule {
        case .cron(let only): expression = only
        case .cronList(let expressions):
            // The expression this fire is of (the first, when several fire at the same instant).
            guard let firing = expressions.first(where: { $0.nextFire(after: fire.addingTimeInterval(-0.001), in: timeZone) == fire })
            else { return nil }
            expression = firing
        case .once, .every: return nil
        }
        let zone = timeZone
        guard let transition = zone.nextDaylightSavingTimeTransition(after: fire.addingTimeInterval(-3 * 3_600)),
            transition <= fire.addingTimeInterval(3 * 3_600)
        else { return nil }
        let before = zone.secondsFromGMT(for: transition.addingTimeInterval(-1))
        let after = zone.secondsFromGMT(for: transition)
        let change = TimeInterval(after - before)
        if change > 0 {
            // A gap: local times from the transition's old wall time for `change` seconds do not exist.
            guard abs(fire.timeIntervalSince(transition)) < 60 else { return nil }
            let start = Self.wallClock(transition, offset: before)
            let end = Self.wallClock(transition, offset: after)
            let local = Self.hourAndMinute(fire, offset: after)
            if expression.followsRealTime { return .afterSkippedHour(gapStart: start, gapEnd: end) }
            if expression.matchesTime(hour: local.hour, minute: local.minute) { return nil }
            return .movedPastGap(gapStart: start, gapEnd: end)
        }
        if change < 0 {
            // A repeat: the instants [transition - |change|, transition + |change|) share their local times in pairs.
            let span = -change
            guard fire >= transition.addingTimeInterval(-span), fire < transition.addingTimeInterval(span) else { return nil }
            let start = Self.wallClock(transition, offset: after)
            let end = Self.wallClock(transition, offset: before)
            if expression.followsRealTime {
                return .repeatedHour(pass: fire < transition ? 1 : 2, repeatStart: start, repeatEnd: end)
            }
            return .firstOfRepeated(repeatStart: start, repeatEnd: end)
        }
        return nil
    }

    /// `HH:mm` of `instant` at a fixed offset from UTC.
    static func wallClock(_ instant: Date, offset: Int) -> String {
        let local = hourAndMinute(instant, offset: offset)
        return String(format: "%02d:%02d", local.hour, local.minute)
    }

    static func hourAndMinute(_ instant: Date, offset: Int) -> (hour: Int, minute: Int) {
        let seconds = Int((instant.timeIntervalSince1970 + Double(offset)).rounded(.down))
        let ofDay = ((seconds % 86_400) + 86_400) % 86_400
        return (ofDay / 3_600, (ofDay % 3_600) / 60)
    }
}
