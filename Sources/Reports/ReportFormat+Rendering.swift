import HeraldCore

/// Rendering a report model in a format.
extension ReportFormat {
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
