import Foundation
import HeraldCore
import Testing

/// The campaign file's `audience` key: parsed, validated, and required for email and SMS unless a dry run.
struct CampaignAudienceTests {
    @Test func parsesListTestShareSegmentAndDeadline() throws {
        let spec = try CampaignSpec(
            parsing: """
                name: News
                channels: [email]
                audience: {list: newsletter, test_share: 0.2, segment: {plan: pro, vip: true, time_zone: Europe/Berlin}, decide_within: "3d"}
                variants:
                  - {subject: One, text: "One."}
                  - {subject: Two, text: "Two."}
                """,
            source: "c.yaml"
        )
        let audience = try #require(spec.audience)
        #expect(audience.list == "newsletter")
        #expect(audience.testShare == 0.2)
        #expect(audience.segment?.attributes == ["plan": .string("pro"), "vip": .bool(true)])
        #expect(audience.segment?.timeZone == "Europe/Berlin")
        #expect(audience.decideWithinSeconds == 3 * 86_400)
        #expect(audience.firstPhase == .test)
        let encoded = try JSONEncoder().encode(audience)
        #expect(try JSONDecoder().decode(CampaignAudience.self, from: encoded) == audience)
    }

    @Test(
        arguments: [
            ("channels: [email]", "c.yaml: audience: is required: email goes to a contact list"),
            ("channels: [email]\naudience: {test_share: 0.2}", "c.yaml: audience.list: is required"),
            ("channels: [email]\naudience: {list: n, test_share: 1.5}", "c.yaml: audience.test_share: is 1.5"),
            ("channels: [email]\naudience: {list: n, test_share: 0.2, decide_within: soon}", "c.yaml: audience.decide_within: \"soon\""),
            ("channels: [email]\naudience: {list: n, decide_within: 3d}", "only a campaign with a test_share"),
            ("channels: [email]\naudience: {list: n, segment: {time_zone: Mars/Base}}", "audience.segment.time_zone"),
            ("channels: [email]\naudience: {list: n, sample: 2}", "c.yaml: audience.sample: unknown field"),
            ("channels: [x]\naudience: {list: n}", "c.yaml: audience: only an email or SMS campaign"),
        ]
    )
    func badAudiencesNameTheField(header: String, message: String) {
        let text = "name: N\n\(header)\nvariants:\n  - {subject: One, text: \"One.\"}\n  - {subject: Two, text: \"Two.\"}"
        let adjusted = header.contains("[x]") ? "name: N\n\(header)\nvariants: [one, two]" : text
        let error = #expect(throws: ValidationError.self) { try CampaignSpec(parsing: adjusted, source: "c.yaml") }
        #expect(error.map { "\($0)".contains(message) } == true, "\(String(describing: error))")
    }

    @Test func theAudienceErrorNamesTheCommandThatMakesAList() {
        let error = #expect(throws: ValidationError.self) { try CampaignSpec(parsing: "name: N\nchannels: [sms]\nvariants: [one]", source: "c.yaml") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("herald lists create") && text.contains("dry_run: true"), "\(text)")
    }

    @Test func aDryRunNeedsNoAudienceAndNoTestShareMeansEveryoneAtOnce() throws {
        #expect(try CampaignSpec(parsing: "name: N\nchannels: [sms]\ndry_run: true\nvariants: [one]", source: "c.yaml").audience == nil)
        let spec = try CampaignSpec(parsing: "name: N\nchannels: [sms]\naudience: {list: n}\nvariants: [one]", source: "c.yaml")
        #expect(spec.audience?.firstPhase == .all)
    }

    @Test func perRecipientKindsAreNotIngestibleNorTrials() {
        #expect(EventKind.names == "impression, click, like, share, comment, conversion")
        #expect(throws: ValidationError.self) { try EventKind.parse("open") }
        #expect(EventKind.allCases.contains(.open) && EventKind.allCases.contains(.unsubscribe) && EventKind.allCases.contains(.bounce))
        #expect(!EventKind.successKinds.contains(.open))
    }
}
