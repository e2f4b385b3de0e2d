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
        // A list of expressions (as autopilot's schedule moves write) is a schedule too.
        let list = try CampaignSpec(
            parsing: "name: x\nchannels: [x]\nschedule: {cron: '30 9 * * MON,WED; 30 19 * * TUE', tz: UTC}\nvariants: [a, b]",
            source: "c.yaml"
        )
        #expect(list.schedule?.cron == "30 9 * * MON,WED; 30 19 * * TUE")
    }

    @Test func variantsBelongToChannelsAndEmailVariantsCarrySubjectPreheaderAndBody() throws {
        let spec = try CampaignSpec(
            parsing: """
                name: Trail
                channels: [x, email]
                status: draft
                dry_run: true
                schedule: {cron: "0 9 * * *", tz: Europe/Berlin, until: "2026-12-31T18:00:00+01:00", count: 3}
                variants:
                  - {key: A, channels: [x], text: "Trail season."}
                  - {key: C, channels: [email], subject: "Trail season", preheader: "20% off", body: "Hello runner"}
                  - {key: S, text: "For both", subject: "Both"}
                """,
            source: "c.yaml"
        )
        #expect(spec.status == .draft)
        #expect(spec.schedule?.count == 3)
        #expect(spec.schedule?.until == Date(timeIntervalSince1970: 1_798_736_400))
        #expect(spec.variants[0].channels(in: spec.channels) == [.x])
        #expect(spec.variants[1].channels(in: spec.channels) == [.email])
        #expect(spec.variants[1].text == "Hello runner")
        #expect(spec.variants[1].email == EmailContent(subject: "Trail season", preheader: "20% off", body: "Hello runner"))
        #expect(spec.variants[2].channels(in: spec.channels) == [.x, .email])
        #expect(spec.variants[2].email?.body == "For both")
    }

    @Test func aSingleVariantIsACampaignWithoutATest() throws {
        let spec = try CampaignSpec(parsing: "name: Solo\nchannels: [x]\nvariants: [only one]", source: "c.yaml")
        #expect(spec.variants.count == 1)
    }

    @Test func aDraftMayWaitForItsVariants() throws {
        // A draft created from a brief has no variant until the generate job writes them; anything else needs one.
        let draft = try CampaignSpec(parsing: "name: x\nchannels: [x, email]\ndry_run: true\nstatus: draft\nvariants: []", source: "c.yaml")
        #expect(draft.variants.isEmpty)
        #expect(throws: ValidationError.self) {
            try CampaignSpec(parsing: "name: x\nchannels: [x]\nstatus: scheduled\nvariants: []", source: "c.yaml")
        }
    }

    @Test func parsesJSONAndDefaultsKeysAndMetric() throws {
        let spec = try CampaignSpec(
            parsing:
                #"{"name": "Été 2026 — Soldes!", "channels": ["sms"], "dry_run": true, "variants": [{"text": "one"}, {"text": "two"}, "three"]}"#,
            source: "c.json"
        )
        #expect(spec.slug == "ete-2026-soldes")
        #expect(spec.primaryMetric == .click)
        #expect(spec.variants.map(\.key) == ["A", "B", "C"])
    }

    @Test(arguments: [
        ("name: x\nchannels: [x]\nvariants: []", "c.yaml: variants: needs at least 1 variant (2 or more make a test)"),
        ("name: x\nchannels: [x, email]\nvariants: [a, b]", "c.yaml: variants[0].subject: is required: the variant goes out by email"),
        ("name: x\nchannels: [x, sms]\nvariants: [{text: a, channels: [x]}]", "c.yaml: channels: no variant is written for sms"),
        (
            "name: x\nchannels: [x]\nvariants: [{text: a, channels: [email]}]",
            "c.yaml: variants[0].channels[0]: \"email\" is not one of the campaign's channels (x)"
        ),
        ("name: x\nchannels: [x]\nvariants: [{text: a, subject: Hi}]", "c.yaml: variants[0].subject: only an email variant has a subject"),
        ("name: x\nchannels: [x]\nvariants: [{text: a, channels: [x, x]}]", "c.yaml: variants[0].channels[1]: \"x\" is listed twice"),
        ("name: x\nchannels: [x]\nstatus: running\nvariants: [a]", "c.yaml: status: \"running\" is not draft or scheduled"),
        (
            "name: x\nchannels: [x]\nschedule: {cron: '@daily', count: 0}\nvariants: [a]",
            "c.yaml: schedule.count: is 0; a schedule fires at least once"
        ),
        (
            "name: x\nchannels: [x]\nschedule: {cron: '@daily', until: soon}\nvariants: [a]",
            "c.yaml: schedule.until: \"soon\" is not an ISO 8601 time"
        ),
        ("channels: [x]\nvariants: [a, b]", "c.yaml: name: is required"),
        (
            "name: x\nchannels: [tiktok]\nvariants: [a, b]",
            "c.yaml: channels[0]: \"tiktok\" is not one of x, instagram, linkedin, facebook, mastodon, bluesky, webhook, email, sms"
        ),
        ("name: x\nchannels: [x]\nvariants: [{key: A, text: a}, {key: A, text: b}]", "c.yaml: variants[1].key: \"A\" is used by another variant"),
        ("name: x\nchannels: [x]\nprimary_metirc: click\nvariants: [a, b]", "c.yaml: primary_metirc: unknown field"),
        ("name: x\nchannels: [x]\nprimary_metric: impression\nvariants: [a, b]", "c.yaml: primary_metric: \"impression\" is not one of click"),
        ("name: x\nchannels: [x]\ndestination: ftp://a\nvariants: [a, b]", "c.yaml: destination: \"ftp://a\" is not an http or https URL"),
        ("name: x\nchannels: [x]\nschedule: {cron: '0 9 * *', tz: UTC}\nvariants: [a, b]", "c.yaml: schedule.cron: \"0 9 * *\" has 4 fields"),
        (
            "name: x\nchannels: [x]\nschedule: {cron: '0 9 * * MON; 0 19 * *', tz: UTC}\nvariants: [a, b]",
            "c.yaml: schedule.cron: \"0 19 * *\" has 4 fields"
        ),
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
