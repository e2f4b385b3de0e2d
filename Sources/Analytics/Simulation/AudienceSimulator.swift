import Foundation
import HeraldCore

/// A simulated audience with known true rates, for the demo and for tests: impressions and
/// successes per variant per day, with a weekly rhythm and a daily send-time curve.
///
/// Deterministic for a generator's seed; event ids come from the same generator.
public struct AudienceSimulator: Sendable {
    /// A variant and the success rate the simulation gives it.
    public struct Arm: Sendable {
        public var variant: VariantID
        public var trueRate: Double

        public init(variant: VariantID, trueRate: Double) {
            self.variant = variant
            self.trueRate = trueRate
        }
    }

    public var arms: [Arm]
    /// Mean impressions per variant per weekday (weekends get 70%).
    public var impressionsPerDay: Int
    /// The event kind of a success.
    public var successKind: EventKind

    public init(arms: [Arm], impressionsPerDay: Int = 2_000, successKind: EventKind = .click) {
        self.arms = arms
        self.impressionsPerDay = impressionsPerDay
        self.successKind = successKind
    }

    /// Relative traffic by UTC hour: quiet nights, a morning and an evening peak.
    static let hourlyShape: [Double] = [
        0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.9, 1.4, 1.6, 1.3, 1.1, 1.2, 1.1, 1.0, 1.0, 1.1, 1.3, 1.6, 1.8, 1.6, 1.2, 0.8, 0.4,
    ]

    /// Simulates `days` days starting at `start` (a UTC midnight).
    public func events(days: Int, start: Date, using generator: inout some RandomNumberGenerator) -> [EngagementEvent] {
        var events: [EngagementEvent] = []
        events.reserveCapacity(days * arms.count * impressionsPerDay * 21 / 20)
        let totalShape = Self.hourlyShape.reduce(0, +)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for day in 0..<days {
            let dayStart = start.addingTimeInterval(Double(day) * 86_400)
            let weekday = calendar.component(.weekday, from: dayStart)
            let dayFactor = (weekday == 1 || weekday == 7) ? 0.7 : 1.0
            // Randomised assignment: the day's traffic varies, each impression goes to an arm at random.
            let noise = Double.random(in: 0.9...1.1, using: &generator)
            let impressions = Int((Double(impressionsPerDay * arms.count) * dayFactor * noise).rounded())
            for _ in 0..<impressions {
                let arm = arms[Int.random(in: 0..<arms.count, using: &generator)]
                let time = dayStart.addingTimeInterval(Self.secondOfDay(totalShape: totalShape, using: &generator))
                events.append(EngagementEvent(id: Self.eventID(using: &generator), variantID: arm.variant, kind: .impression, occurredAt: time))
                if Double.random(in: 0..<1, using: &generator) < arm.trueRate {
                    let delay = Double.random(in: 5...900, using: &generator)
                    let clickTime = min(time.addingTimeInterval(delay), dayStart.addingTimeInterval(86_399))
                    events.append(
                        EngagementEvent(id: Self.eventID(using: &generator), variantID: arm.variant, kind: successKind, occurredAt: clickTime)
                    )
                }
            }
        }
        return events
    }

    static func secondOfDay(totalShape: Double, using generator: inout some RandomNumberGenerator) -> Double {
        var pick = Double.random(in: 0..<totalShape, using: &generator)
        var hour = 0
        while hour < 23, pick >= hourlyShape[hour] {
            pick -= hourlyShape[hour]
            hour += 1
        }
        return Double(hour) * 3600 + Double.random(in: 0..<3600, using: &generator)
    }

    /// A version-4 UUID from the generator.
    static func eventID(using generator: inout some RandomNumberGenerator) -> EventID {
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let bytes = withUnsafeBytes(of: high.bigEndian) { Array($0) } + withUnsafeBytes(of: low.bigEndian) { Array($0) }
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
        return EventID(uuid)
    }
}
