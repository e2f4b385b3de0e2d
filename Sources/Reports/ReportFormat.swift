/// The formats a report is written in.
public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    /// One self-contained page with charts, for people.
    case html
    /// Tables and the recommendation, for chat and pull requests.
    case md
    /// One row per variant per day.
    case csv
    /// The whole model.
    case json

    /// Renders `report` in this format.
    public func render(_ report: ReportModel) throws -> String {
        switch self {
        case .html: return HTMLRenderer.render(report)
        case .md: return MarkdownRenderer.render(report)
        case .csv: return CSVRenderer.render(report)
        case .json: return try JSONRenderer.render(report)
        }
    }
}
