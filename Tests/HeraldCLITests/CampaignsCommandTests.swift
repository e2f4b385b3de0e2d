import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct CampaignsCommandTests {
    @Test func createShowAndList() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()
        #expect(campaign.slug == "trailblazer-spring-sale")

        let shown = try await fixture.run("campaigns", "show", campaign.slug, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        for key in ["id", "slug", "name", "primary_metric", "channels", "variants"] { #expect(object[key] != nil, "missing \(key)") }
        #expect(object["primary_metric"] as? String == "click")
        #expect(object["channels"] as? [String] == ["x", "instagram"])

        let byID = try await fixture.run("campaigns", "show", try #require(object["id"] as? String))
        #expect(byID.succeeded && byID.standardOutput.contains(campaign.a))

        let listed = try await fixture.run("campaigns", "list", "--json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(list.map { $0["slug"] as? String } == [campaign.slug])
    }

    @Test func jsonFilesWorkToo() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "c.json",
            #"{"name": "Newsletter", "slug": "news-1", "primary_metric": "conversion", "channels": ["email"], "dry_run": true, "variants": [{"text": "a", "subject": "A"}, {"text": "b", "subject": "B"}]}"#
        )
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded)
        #expect(created.standardOutput == "news-1\n")
    }

    @Test(
        arguments: [
            ("missing.yaml", nil, "missing.yaml: cannot read the file"),
            ("bad.yaml", "name: [unclosed", "bad.yaml: not valid JSON or YAML"),
            ("bad.json", #"{"name": "x", "channels": ["x"], "variants": [{"text": "a"}]"#, "bad.json:"),
            ("none.yaml", "name: x\nchannels: [x]\nvariants: []", "none.yaml: variants: needs at least 1 variant"),
            (
                "long.yaml", "name: x\nchannels: [x, sms]\ndry_run: true\nvariants: [{text: \"\(String(repeating: "a", count: 400))\"}]",
                "long.yaml: variants[0].text: for x: is 400 weighted characters; x allows at most 280"
            ),
            ("typo.yaml", "name: x\nchanels: [x]\nvariants: [a, b]", "typo.yaml: chanels: unknown field"),
        ] as [(String, String?, String)]
    )
    func badFilesGetOneClearLineAndWriteNothing(name: String, contents: String?, message: String) async throws {
        let fixture = try await CLIFixture.make()
        let path = contents.map { try? fixture.write(name, $0) } ?? fixture.folder.appendingPathComponent(name).path
        let result = try await fixture.run("campaigns", "create", try #require(path))
        #expect(!result.succeeded)
        #expect(result.standardOutput.isEmpty)
        #expect(isOneLine(result.standardError), "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        let listed = try await fixture.run("campaigns", "list", "--json")
        #expect(listed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || listed.standardOutput.contains("[]"))
    }

    @Test func theLifecycleMovesThroughPublishPauseResumeEndArchive() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write(
            "solo.yaml",
            """
            name: Solo post
            channels: [x, sms]
            destination: https://shop.example.com/solo
            status: draft
            dry_run: true
            variants:
              - {key: A, channels: [x], text: "One post, no test: https://shop.example.com/solo"}
              - {key: S, channels: [sms], text: "Sale today at the shop."}
            """
        )
        #expect(try await fixture.run("campaigns", "create", path).standardOutput == "solo-post\n")
        let draft = try await fixture.run("campaigns", "publish", "solo-post")
        #expect(!draft.succeeded && draft.standardError.contains("is draft and publishes nothing; start it first (herald campaigns start solo-post)"))

        #expect(try await fixture.run("campaigns", "start", "solo-post").standardOutput == "solo-post: draft -> scheduled\n")
        let published = try await fixture.run("campaigns", "publish", "solo-post", "--json")
        #expect(published.succeeded, "\(published.standardError)")
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(published.standardOutput.utf8)) as? [[String: Any]])
        #expect(lines.count == 2)
        for line in lines {
            for key in ["id", "variant", "channel", "account", "state", "text", "tracking_url", "provider_id", "provider_url", "error"] {
                #expect(line.keys.contains(key), "missing \(key)")
            }
            let text = try #require(line["text"] as? String)
            let link = try #require(line["tracking_url"] as? String)
            #expect(text.contains(link) && !text.contains("shop.example.com"), "\(text)")
            if line["channel"] as? String == "sms" {
                #expect(line["variant"] as? String == "S")
                #expect(text.hasSuffix("\nReply STOP to opt out"), "\(text)")
            } else {
                #expect(line["variant"] as? String == "A")
            }
        }
        let shown = try await fixture.run("campaigns", "show", "solo-post", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "running")
        let variants = try #require(object["variants"] as? [[String: Any]])
        #expect(variants.map { $0["channels"] as? [String] ?? [] } == [["x"], ["sms"]])

        #expect(try await fixture.run("campaigns", "pause", "solo-post").standardOutput.hasPrefix("solo-post: running -> paused"))
        let paused = try await fixture.run("campaigns", "publish", "solo-post")
        #expect(!paused.succeeded && paused.standardError.contains("resume it first"))
        let listed = try await fixture.run("publications", "list", "solo-post", "--state", "cancelled", "--json")
        let cancelled = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(cancelled.count == 2, "queued publications of a paused campaign are cancelled")
        #expect(cancelled.allSatisfy { $0["error"] as? String == "campaign paused" })

        #expect(try await fixture.run("campaigns", "resume", "solo-post").standardOutput == "solo-post: paused -> running\n")
        #expect(try await fixture.run("campaigns", "end", "solo-post").standardOutput == "solo-post: running -> ended\n")
        let again = try await fixture.run("campaigns", "pause", "solo-post")
        #expect(again.status == 1 && isOneLine(again.standardError))
        #expect(again.standardError.contains("cannot pause a campaign that is ended; it can only archive"))
        #expect(try await fixture.run("campaigns", "archive", "solo-post").standardOutput == "solo-post: ended -> archived\n")
        let list = try await fixture.run("campaigns", "list")
        #expect(list.standardOutput.contains("archived"))
    }

    @Test func duplicateSlugIsRefused() async throws {
        let fixture = try await CLIFixture.make()
        _ = try await fixture.createCampaign()
        let again = try await fixture.run("campaigns", "create", fixture.folder.appendingPathComponent("campaign.yaml").path)
        #expect(!again.succeeded)
        #expect(again.standardError.contains("slug: the workspace already has a campaign \"trailblazer-spring-sale\""))
    }

    @Test func unknownCampaignIsNotFound() async throws {
        let fixture = try await CLIFixture.make()
        let result = try await fixture.run("campaigns", "show", "nope")
        #expect(result.status == 1)
        #expect(result.standardError == "herald: campaign \"nope\" not found\n")
    }

    @Test func aCampaignInAnotherWorkspaceIsNamedWithTheWayToReachIt() async throws {
        let fixture = try await CLIFixture.make()
        let campaign = try await fixture.createCampaign()  // in workspace "default"
        for command in [["campaigns", "show", campaign.slug], ["report", campaign.slug, "--format", "md"]] {
            let result = try await fixture.run(command + ["--workspace", "acme"])
            #expect(result.status == 1)
            #expect(
                result.standardError
                    == "herald: campaign \"\(campaign.slug)\" is not in workspace \"acme\"; it is in workspace \"default\": "
                    + "pass --workspace default (or set HERALD_WORKSPACE=default)\n",
                "\(command): \(result.standardError)"
            )
        }
        // A campaign that exists nowhere is simply not found.
        let nowhere = try await fixture.run("campaigns", "show", "nope", "--workspace", "acme")
        #expect(nowhere.standardError == "herald: campaign \"nope\" not found\n")
    }
}

extension CampaignsCommandTests {
    /// A campaign with one variant is scheduled and measured, not tested: reports in every format say so.
    @Test func aSingleVariantCampaignIsMeasuredAndReportedWithoutATest() async throws {
        let fixture = try await CLIFixture.make()
        let path = try fixture.write("one.yaml", "name: One post\nchannels: [linkedin]\nvariants: [\"Our trail guide is out.\"]\n")
        #expect(try await fixture.run("campaigns", "create", path).standardOutput == "one-post\n")
        let shown = try await fixture.run("campaigns", "show", "one-post", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let variant = try #require((object["variants"] as? [[String: Any]])?.first?["id"] as? String)
        var csv = "id,variant_id,kind,occurred_at,value\n"
        for index in 0..<200 {
            csv += "\(UUID().uuidString),\(variant),impression,2026-11-20T10:\(String(format: "%02d", index % 60)):00Z,\n"
            if index % 10 == 0 { csv += "\(UUID().uuidString),\(variant),click,2026-11-20T10:\(String(format: "%02d", index % 60)):30Z,\n" }
        }
        #expect(try await fixture.run("import", "events", try fixture.write("events.csv", csv)).succeeded)
        for format in ["md", "json", "html", "csv"] {
            let report = try await fixture.run(
                "report",
                "one-post",
                "--format",
                format,
                "--out",
                fixture.folder.appendingPathComponent("reports").path
            )
            #expect(report.succeeded, "\(format): \(report.standardError)")
        }
        let markdown = try String(
            contentsOf: fixture.folder.appendingPathComponent("reports/one-post/latest/report.md"),
            encoding: .utf8
        )
        #expect(markdown.contains("One variant: measured, not tested"), "\(markdown.prefix(600))")
    }
}
