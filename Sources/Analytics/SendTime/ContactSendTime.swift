import Foundation
import HeraldCore
import Scheduling

/// When one contact should receive a campaign: at their best local hour inside the campaign's send window when their
/// history says enough, otherwise at the campaign's time.
///
/// The best hour is the hour of the day (in the window) with the highest share of the contact's engagement, shrunk
/// toward the population the way ``SendTimeModel`` shrinks an hour toward its channel (a Beta prior, beta-binomial):
/// hour `h` scores `(n_h + s·p_h) / (N + s)`, where `n_h` of the contact's `N` engagements inside the window fell in
/// hour `h`, `p_h` is the population's share of that hour (from the channel's ``SendTimeModel``, or equal shares
/// without one) and `s` is ``priorStrength`` pseudo-engagements. So with few engagements the population's pattern
/// decides most, and a contact's own habit takes over as it repeats.
///
/// "Enough history" is at least ``minimumEngagements`` engagements at hours inside the window: below that the contact
/// gets the campaign's time, as does a contact without a known time zone.
///
/// Example: a contact in Europe/Berlin who opened at 12:00 on four days and at 10:00 on two, window 09:00–18:00, campaign
/// at 09:00 Berlin time → sent at 12:00 Berlin time the same day (at 12:00 the next day for a campaign at 14:00).
public enum ContactSendTime {
    /// Engagements inside the window a contact needs before their own best hour is used.
    public static let minimumEngagements = 5
    /// Pseudo-engagements of the population prior each hour's share is shrunk toward.
    public static let priorStrength = 4.0

    /// The local hour (0–23, one of `window.hours`) at which the contact engages most, or nil when their history
    /// inside the window has fewer than `minimumEngagements` engagements (use the campaign's time).
    ///
    /// - Parameters:
    ///   - history: The contact's engagement by local hour of the week.
    ///   - window: The local times the campaign may reach them.
    ///   - population: The channel's hour-of-week model, whose shrunk rates give each hour's prior share (nil: equal).
    /// - Complexity: O(history + 24).
    public static func bestHour(
        history: [EngagementHour],
        window: SendWindow,
        population: SendTimeModel? = nil,
        minimumEngagements: Int = ContactSendTime.minimumEngagements,
        priorStrength: Double = ContactSendTime.priorStrength
    ) -> Int? {
        let hours = window.hours
        guard !hours.isEmpty else { return nil }
        var counts = Array(repeating: 0, count: 24)
        for engagement in history where engagement.count > 0 && (0..<168).contains(engagement.hourOfWeek) {
            counts[engagement.hourOfDay] += engagement.count
        }
        let total = hours.map { counts[$0] }.reduce(0, +)
        guard total >= minimumEngagements else { return nil }
        let shares = priorShares(hours: hours, population: population)
        var best = hours[0]
        var bestScore = -1.0
        for hour in hours {
            // The posterior mean of Beta(s·p_h + n_h, s·(1 − p_h) + N − n_h): the hour's share, shrunk toward the population's.
            let score = (priorStrength * shares[hour] + Double(counts[hour])) / (priorStrength + Double(total))
            // Strictly greater: among equal scores the earliest hour of the window wins.
            if score > bestScore {
                best = hour
                bestScore = score
            }
        }
        return best
    }

    /// The population's share of each hour of the day among the window's hours (indexed by hour, 0 outside the window):
    /// the mean shrunk rate of the model's slots at that hour, its prior mean where it has none; equal shares without
    /// a model.
    static func priorShares(hours: [Int], population: SendTimeModel?) -> [Double] {
        var shares = Array(repeating: 0.0, count: 24)
        guard let population else {
            for hour in hours { shares[hour] = 1 / Double(hours.count) }
            return shares
        }
        let priorMean = population.prior.alpha / (population.prior.alpha + population.prior.beta)
        var sums = Array(repeating: 0.0, count: 24)
        var slots = Array(repeating: 0, count: 24)
        for slot in population.slots {
            sums[slot.hourOfWeek % 24] += slot.rate
            slots[slot.hourOfWeek % 24] += 1
        }
        let rates = hours.map { slots[$0] > 0 ? sums[$0] / Double(slots[$0]) : priorMean }
        let total = rates.reduce(0, +)
        for (hour, rate) in zip(hours, rates) { shares[hour] = total > 0 ? rate / total : 1 / Double(hours.count) }
        return shares
    }

    /// The first instant at or after `campaignTime` at which it is `bestHour`:00 in the contact's time zone.
    ///
    /// DST follows the scheduler's rule for fixed-time jobs (``CronExpression``, Vixie cron): an hour skipped by a
    /// spring-forward gap sends at the first instant after the gap, and an hour repeated in the fall-back night sends
    /// once, at its first occurrence. A `bestHour` outside `window` is moved to the window's nearest hour.
    ///
    /// - Precondition: `bestHour` in 0...23.
    public static func sendAt(campaignTime: Date, contactTimeZone: TimeZone, bestHour: Int, window: SendWindow) -> Date {
        precondition((0..<24).contains(bestHour), "bestHour \(bestHour) is not an hour of the day")
        let hours = window.hours
        let hour = hours.contains(bestHour) ? bestHour : hours.min { distance($0, bestHour) < distance($1, bestHour) } ?? bestHour
        // "0 H * * *" is a fixed-time rule, so its next fire is exact across DST. The search starts a second early so that a
        // campaign time exactly on the hour counts; one that falls inside that second is moved to the next fire.
        guard let rule = try? CronExpression(parsing: "0 \(hour) * * *"),
            var next = rule.nextFire(after: campaignTime.addingTimeInterval(-1), in: contactTimeZone)
        else { return campaignTime }
        if next < campaignTime { next = rule.nextFire(after: next, in: contactTimeZone) ?? campaignTime }
        return next
    }

    /// When to send to one contact: ``sendAt(campaignTime:contactTimeZone:bestHour:window:)`` at their
    /// ``bestHour(history:window:population:minimumEngagements:priorStrength:)`` when they have one, else `campaignTime`
    /// (also without a window or a time zone).
    public static func plan(
        history: [EngagementHour],
        timeZone: TimeZone?,
        window: SendWindow?,
        campaignTime: Date,
        population: SendTimeModel? = nil
    ) -> Date {
        guard let timeZone, let window, let hour = bestHour(history: history, window: window, population: population) else {
            return campaignTime
        }
        return sendAt(campaignTime: campaignTime, contactTimeZone: timeZone, bestHour: hour, window: window)
    }

    /// Hours apart on the clock face (0–12).
    static func distance(_ a: Int, _ b: Int) -> Int { min(abs(a - b), 24 - abs(a - b)) }
}
