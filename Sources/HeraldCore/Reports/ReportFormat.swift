/// The formats a report is written in (the renderers live in the Reports target; job payloads name a format too).
public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    /// One self-contained page with charts, for people.
    case html
    /// Tables and the recommendation, for chat and pull requests.
    case md
    /// One row per variant per day.
    case csv
    /// The whole model.
    case json
}
