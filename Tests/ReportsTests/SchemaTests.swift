import Analytics
import Foundation
import HeraldTestKit
import Testing

@testable import Reports

/// The JSON report validates against the committed schema, `docs/report.schema.json`.
struct SchemaTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/report.schema.json")

    func validator() throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schema: try Data(contentsOf: Self.schema))
    }

    @Test func fullReportValidates() throws {
        let json = try JSONRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile))
        let errors = try validator().validate(Data(json.utf8))
        #expect(errors.isEmpty, "\(errors.prefix(10))")
    }

    @Test func aReportWithAutopilotAndAPlannedTestValidates() throws {
        var report = try ReportFixture.model()
        report.autopilot = AutopilotSummary(
            mode: "auto",
            actions: [
                .init(
                    at: ReportFixture.start,
                    kind: "set_split",
                    reason: "B leads",
                    state: "applied",
                    decidedBy: "autopilot",
                    undoneBy: nil,
                    effect: "A 30%, B 70%"
                ),
                .init(at: ReportFixture.start, kind: "stop_arm", reason: "C trails", state: "undone", decidedBy: "autopilot", undoneBy: "cli:jana"),
                .init(at: ReportFixture.start, kind: "declare_winner", reason: "B wins", state: "pending", decidedBy: nil, undoneBy: nil),
            ]
        )
        report.plannedTest = PlannedTest(horizon: 200_000, look: 12, impressions: 201_000, isFinal: true, hasEnded: false)
        let json = try JSONRenderer.render(report)
        #expect(json.contains(#""is_final""#))
        let errors = try validator().validate(Data(json.utf8))
        #expect(errors.isEmpty, "\(errors.prefix(10))")
        #expect(MarkdownRenderer.render(report).contains("This is the final analysis"))
        #expect(HTMLRenderer.render(report).contains("of a test planned for 200,000 (look 12, the final analysis)"))
    }

    @Test func emptyReportValidates() throws {
        let report = ReportModel(
            campaign: ReportFixture.campaign(),
            score: try Analytics.Scorer.score(
                .init(arms: [
                    .init(id: "A", trials: 0, successes: 0), .init(id: "B", trials: 0, successes: 0), .init(id: "C", trials: 0, successes: 0),
                ])
            ),
            alpha: 0.05,
            days: [],
            generatedAt: ReportFixture.start
        )
        let errors = try validator().validate(Data(try JSONRenderer.render(report).utf8))
        #expect(errors.isEmpty, "\(errors.prefix(10))")
    }

    @Test func validatorCatchesWhatTheSchemaForbids() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(try ReportFixture.model()).utf8)) as? [String: Any]
        )
        object["surprise"] = 1
        object.removeValue(forKey: "headline")
        var variants = try #require(object["variants"] as? [[String: Any]])
        variants[0]["probability_best"] = 1.5
        object["variants"] = variants
        let errors = try validator().validate(try JSONSerialization.data(withJSONObject: object))
        let paths = Set(errors.map(\.path))
        #expect(paths.contains("$.surprise"))
        #expect(paths.contains("$"))
        #expect(paths.contains("$.variants[0].probability_best"))
    }

    @Test func userTextStaysTextInJSON() throws {
        let json = try JSONRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile))
        #expect(!json.contains("<script"))
        #expect(json.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"))
        let decoded = try JSONRenderer.decode(json)
        #expect(decoded.variants[1].text == ReportFixture.hostile)
        #expect(decoded == (try ReportFixture.model(bText: ReportFixture.hostile)))
    }
}
