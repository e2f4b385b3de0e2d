import Foundation
import HeraldCore

extension CSVRenderer {
    /// The per-channel rows: per channel, per day, per variant with impressions on the channel, cumulative within the
    /// channel, with the channel in the last column (empty for events without a publication).
    static func channelRows(_ report: ReportModel, revenueColumns: Int = 0) -> [String] {
        guard let breakdown = report.channels else { return [] }
        var lines: [String] = []
        for channel in breakdown.channels.sorted(by: { $0.channel < $1.channel }) {
            let shown = Set(channel.variants.map(\.key))
            var cumulativeImpressions = Array(repeating: 0, count: report.variants.count)
            var cumulativeSuccesses = Array(repeating: 0, count: report.variants.count)
            for day in channel.days {
                let date = String(Timestamp.format(day.day).prefix(10))
                for (index, variant) in report.variants.enumerated() where index < day.impressions.count && shown.contains(variant.key) {
                    cumulativeImpressions[index] += day.impressions[index]
                    cumulativeSuccesses[index] += day.successes[index]
                    let fields =
                        [
                            date, field(variant.key), String(day.impressions[index]), String(day.successes[index]),
                            rate(day.successes[index], day.impressions[index]), String(cumulativeImpressions[index]),
                            String(cumulativeSuccesses[index]), rate(cumulativeSuccesses[index], cumulativeImpressions[index]),
                        ] + Array(repeating: "", count: revenueColumns) + [field(variant.text), field(channel.channel)]
                    lines.append(fields.joined(separator: ","))
                }
            }
        }
        return lines
    }
}
