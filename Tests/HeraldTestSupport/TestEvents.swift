import Foundation
import HeraldCore

/// Engagement for tests that need a campaign with evidence: impressions and clicks per variant at known rates.
public enum TestEvents {
    /// `perDay` impressions a day for each variant over `days` days (spread over the first `hours` hours of each day,
    /// from `start`), of which the variant's rate in `rates` (same order as `variants`) are followed by a click.
    public static func engagement(
        _ variants: [VariantID],
        rates: [Double],
        perDay: Int = 4_000,
        days: Int = 3,
        hours: Int = 20,
        from start: Date
    ) -> [EngagementEvent] {
        var events: [EngagementEvent] = []
        for (variant, rate) in zip(variants, rates) {
            let clicks = Int((Double(perDay) * rate).rounded())
            for day in 0..<days {
                for index in 0..<perDay {
                    let time = start.addingTimeInterval(Double(day) * 86_400 + Double(index % hours) * 3_600)
                    events.append(EngagementEvent(id: EventID(UUID()), variantID: variant, kind: .impression, occurredAt: time))
                    if index < clicks {
                        events.append(EngagementEvent(id: EventID(UUID()), variantID: variant, kind: .click, occurredAt: time))
                    }
                }
            }
        }
        return events
    }
}
