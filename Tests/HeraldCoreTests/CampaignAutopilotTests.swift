import Foundation
import HeraldCore
import Testing

/// `autopilot:` in a campaign file: a mode, or a mapping with a mode and guard rails, each mistake named where it is.
struct CampaignAutopilotTests {
    let base = "name: N\nchannels: [mastodon]\nvariants: [one, two]\n"

    func parse(_ autopilot: String) throws -> CampaignSpec {
        try CampaignSpec(parsing: base + autopilot, source: "c.yaml")
    }

    @Test func aModeOrAModeWithGuardRails() throws {
        #expect(try parse("").autopilot == nil)
        #expect(try parse("autopilot: auto").autopilot == CampaignAutopilot(mode: .auto))
        let spec = try parse("autopilot: {mode: suggest, rails: {maximum_shift: 0.1, minimum_period_hours: 12}}")
        #expect(spec.autopilot?.mode == .suggest)
        #expect(spec.autopilot?.rails.maximumShift == 0.1)
        #expect(spec.autopilot?.rails.minimumPeriod == 43_200)
        #expect(spec.autopilot?.rails.minimumSample == GuardRails().minimumSample)
    }

    @Test(arguments: [
        ("autopilot: on", "autopilot"),
        ("autopilot: {rails: {}}", "autopilot.mode"),
        ("autopilot: {mode: auto, speed: 3}", "autopilot.speed"),
        ("autopilot: {mode: auto, rails: {max_shift: 0.5}}", "autopilot.rails.max_shift"),
        ("autopilot: {mode: auto, rails: {maximum_shift: 2}}", "autopilot.rails.maximum_shift"),
        ("autopilot: {mode: auto, rails: {minimum_share: fifty}}", "autopilot.rails"),
        ("autopilot: [auto]", "autopilot"),
    ])
    func mistakesAreNamedWhereTheyAre(text: String, field: String) {
        let error = #expect(throws: ValidationError.self) { try parse(text) }
        #expect(error?.field.hasSuffix(field) == true, "\(String(describing: error))")
    }
}
