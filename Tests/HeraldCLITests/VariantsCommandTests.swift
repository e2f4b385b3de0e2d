import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct VariantsCommandTests {
    static let brief = """
        product: Trailblazer 2 trail shoes
        offer: 20% off this weekend
        audience: trail runners
        link: https://example.com/shoes
        hashtags: [trailrunning, ultrarunning, runhappy]
        benefit: grip that holds on wet rock
        proof: 12,000 runners
        """

    @Test func generatesChannelValidVariantsDeterministically() async throws {
        let folder = try HeraldCommand.temporaryDirectory()
        let brief = folder.appendingPathComponent("brief.yaml")
        try Self.brief.write(to: brief, atomically: true, encoding: .utf8)
        let arguments = ["variants", "generate", "--brief", brief.path, "--channel", "sms", "--count", "5", "--seed", "3", "--json"]
        let first = try await HeraldCommand.run(arguments, environment: ["HERALD_LLM_URL": ""])
        #expect(first.succeeded, "\(first.standardError)")
        let again = try await HeraldCommand.run(arguments, environment: ["HERALD_LLM_URL": ""])
        #expect(first.standardOutput == again.standardOutput)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.standardOutput.utf8)) as? [String: Any])
        let variants = try #require(object["variants"] as? [[String: Any]])
        #expect(variants.count == 5)
        for variant in variants {
            let features = try #require(variant["features"] as? [String: Any])
            #expect(features["hook"] != nil && features["reading_ease"] != nil)
        }
    }

    @Test func badBriefsNameTheLineAndColumn() async throws {
        let folder = try HeraldCommand.temporaryDirectory()
        let brief = folder.appendingPathComponent("brief.yaml")
        try "product: Acme\ntone: sarcastic\n".write(to: brief, atomically: true, encoding: .utf8)
        let result = try await HeraldCommand.run(["variants", "generate", "--brief", brief.path, "--channel", "x"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("brief.yaml:2:7: tone: \"sarcastic\" is not one of"), "\(result.standardError)")
    }
}
