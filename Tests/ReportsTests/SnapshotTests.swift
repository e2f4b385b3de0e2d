import Foundation
import Testing

@testable import Reports

/// Whole-file snapshots of the Markdown and CSV of the fixture report, in `Snapshots/`.
///
/// After an intended change, rerun with `HERALD_RECORD_SNAPSHOTS=1` and review the diff.
struct SnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["HERALD_RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if text != expected {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(got, want)).firstIndex { $0 != $1 } ?? min(got.count, want.count)
            Issue.record(
                "\(name) differs from its snapshot at line \(line + 1):\n  got:  \(line < got.count ? got[line] : "<end>")\n  want: \(line < want.count ? want[line] : "<end>")\n(HERALD_RECORD_SNAPSHOTS=1 rewrites it)",
                sourceLocation: sourceLocation
            )
        }
    }

    @Test func markdown() throws {
        try assertSnapshot(MarkdownRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile)), named: "report.md")
    }

    @Test func csv() throws {
        try assertSnapshot(CSVRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile)), named: "report.csv")
    }
}
