import Foundation
import HeraldCore
import Testing

struct CampaignSpecTests {
    @Test func parsesTheContractExampleInYAML() throws {
        let spec = try CampaignSpec(
            parsing: """
                name: Trailblazer spring sale
                primary_metric: click
                channels: [x, instagram]
                destination: https://example.com/shoes
                schedule: {cron: "0 9 * * MON-FRI", tz: Europe/Berlin}
                variants:
                  - {key: A, text: "Trail season is here. 20% off this weekend."}
                  - {key: B, text: "Ready for your first ultra? Shop the sale."}
                """,
            source: "campaign.yaml"
        )
        #expect(spec.slug == "trailblazer-spring-sale")
        #expect(spec.channels == [.x, .instagram])
        #expect(spec.variants.map(\.key) == ["A", "B"])
        #expect(spec.schedule == .init(cron: "0 9 * * MON-FRI", tz: "Europe/Berlin"))
    }

    @Test func parsesJSONAndDefaultsKeysAndMetric() throws {
        let spec = try CampaignSpec(
            parsing: #"{"name": "Été 2026 — Soldes!", "channels": ["email"], "variants": [{"text": "one"}, {"text": "two"}, "three"]}"#,
            source: "c.json"
        )
        #expect(spec.slug == "ete-2026-soldes")
        #expect(spec.primaryMetric == .click)
        #expect(spec.variants.map(\.key) == ["A", "B", "C"])
    }

    @Test(arguments: [
        ("name: x\nchannels: [x]\nvariants: [{text: a}]", "c.yaml: variants: needs at least 2 variants to compare, found 1"),
        ("channels: [x]\nvariants: [a, b]", "c.yaml: name: is required"),
        (
            "name: x\nchannels: [tiktok]\nvariants: [a, b]",
            "c.yaml: channels[0]: \"tiktok\" is not one of x, instagram, linkedin, facebook, email, sms"
        ),
        ("name: x\nchannels: [x]\nvariants: [{key: A, text: a}, {key: A, text: b}]", "c.yaml: variants[1].key: \"A\" is used by another variant"),
        ("name: x\nchannels: [x]\nprimary_metirc: click\nvariants: [a, b]", "c.yaml: primary_metirc: unknown field"),
        ("name: x\nchannels: [x]\nprimary_metric: impression\nvariants: [a, b]", "c.yaml: primary_metric: \"impression\" is not one of click"),
        ("name: x\nchannels: [x]\ndestination: ftp://a\nvariants: [a, b]", "c.yaml: destination: \"ftp://a\" is not an http or https URL"),
        ("name: x\nchannels: [x]\nschedule: {cron: '0 9 * *', tz: UTC}\nvariants: [a, b]", "c.yaml: schedule.cron: \"0 9 * *\" has 4 fields"),
        (
            "name: x\nchannels: [x]\nschedule: {cron: '@daily', tz: Mars/Base}\nvariants: [a, b]",
            "c.yaml: schedule.tz: \"Mars/Base\" is not an IANA time zone"
        ),
        ("name: x\nchannels: [x]\nvariants: [a, '  ']", "c.yaml: variants[1].text: must not be empty"),
        ("name: [unclosed", "c.yaml: not valid JSON or YAML"),
        ("- just\n- a list", "c.yaml: expected a mapping"),
        ("name: '!!!'\nchannels: [x]\nvariants: [a, b]", "c.yaml: slug: cannot be derived from the name"),
    ])
    func badInputNamesTheField(text: String, message: String) {
        #expect {
            try CampaignSpec(parsing: text, source: "c.yaml")
        } throws: { error in
            let description = "\(error)"
            let matches = description.hasPrefix(message) || description.contains(message)
            if !matches { Issue.record("got: \(description)") }
            return matches
        }
    }

    @Test func defaultKeysRunPastZ() {
        #expect(CampaignSpec.defaultKey(at: 0) == "A")
        #expect(CampaignSpec.defaultKey(at: 25) == "Z")
        #expect(CampaignSpec.defaultKey(at: 26) == "AA")
        #expect(CampaignSpec.defaultKey(at: 27) == "AB")
    }
}
