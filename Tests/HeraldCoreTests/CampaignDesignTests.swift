import Foundation
import HeraldCore
import Testing

/// `design:` in a campaign file: the planned total of impressions of its test, each mistake named where it is.
struct CampaignDesignTests {
    let base = "name: N\nchannels: [mastodon]\nvariants: [one, two]\n"

    func parse(_ design: String) throws -> CampaignSpec {
        try CampaignSpec(parsing: base + design, source: "c.yaml")
    }

    @Test func aHorizonInImpressions() throws {
        #expect(try parse("").design == nil)
        #expect(try parse("design: null").design == nil)
        #expect(try parse("design: {horizon: 200000}").design == (try CampaignDesign(horizon: 200_000)))
        #expect(try parse("design:\n  horizon: 1e5").design?.horizon == 100_000)
        #expect(
            try CampaignSpec(parsing: #"{"name": "N", "channels": ["x"], "variants": ["a", "b"], "design": {"horizon": 5000}}"#, source: "c.json")
                .design?.horizon == 5_000
        )
        #expect(try parse("design: {horizon: 100}").design?.horizon == CampaignDesign.minimumHorizon)
    }

    @Test(arguments: [
        ("design: 200000", "design", "expected a mapping"),
        ("design: {}", "design.horizon", "required"),
        ("design: {horizon: 99}", "design.horizon", "from 100"),
        ("design: {horizon: -5}", "design.horizon", "found -5"),
        ("design: {horizon: 2.5}", "design.horizon", "whole number"),
        ("design: {horizon: true}", "design.horizon", "whole number"),
        ("design: {horizon: lots}", "design.horizon", "whole number"),
        ("design: {horizon: 1000, looks: [500]}", "design.looks", "unknown field"),
        ("design: {horizon: 1000}\nprimary_metric: revenue", "design", "always-valid"),
    ])
    func mistakesAreNamedWhereTheyAre(text: String, field: String, reason: String) {
        let error = #expect(throws: ValidationError.self) { try parse(text) }
        #expect(error?.field == field, "\(String(describing: error))")
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
        #expect(error?.location == "c.yaml")
    }
}
