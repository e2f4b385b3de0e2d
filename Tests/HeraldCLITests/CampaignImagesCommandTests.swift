import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct CampaignImagesCommandTests {
    @Test func aCampaignWithAnImageFileRoundTrips() async throws {
        let fixture = try await CLIFixture.make()
        try FileManager.default.createDirectory(at: fixture.folder.appendingPathComponent("img"), withIntermediateDirectories: true)
        try TestImages.png(width: 1200, height: 630, size: 4_096).write(to: fixture.folder.appendingPathComponent("img/shoes.png"))
        try FileManager.default.createDirectory(at: fixture.folder.appendingPathComponent("campaigns"), withIntermediateDirectories: true)
        // Relative to the campaign file's folder, not the working directory.
        let path = try fixture.write(
            "campaigns/pictures.yaml",
            """
            name: Pictures
            channels: [bluesky, mastodon]
            variants:
              - {key: A, text: "New shoes", image: {file: ../img/shoes.png, alt: "Red trail shoes on a rock"}}
              - {key: B, text: "No picture"}
            """
        )
        let created = try await fixture.run("campaigns", "create", path)
        #expect(created.succeeded, "\(created.standardError)")
        let shown = try await fixture.run("campaigns", "show", "pictures", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let variants = try #require(object["variants"] as? [[String: Any]])
        let images = try #require(variants[0]["images"] as? [[String: Any]])
        #expect(images.count == 1)
        #expect(images[0]["alt"] as? String == "Red trail shoes on a rock")
        #expect(images[0]["mime_type"] as? String == "image/png")
        #expect(images[0]["width"] as? Int == 1200 && images[0]["height"] as? Int == 630)
        #expect(images[0]["byte_size"] as? Int == 4_096)
        #expect(variants[1]["images"] == nil)
    }

    @Test(
        arguments: [
            (
                "name: P\nchannels: [x]\nvariants:\n  - {text: a}\n  - {text: b, image: {file: shoe.png}}",
                "p.yaml: variants[1].image.alt: is required (describe the image for people who cannot see it)"
            ),
            (
                "name: P\nchannels: [x, sms]\ndry_run: true\nvariants:\n  - {text: a, image: {file: shoe.png, alt: A shoe}}",
                "p.yaml: variants[0].image: for sms: sms takes no images: an SMS carries text only (Herald sends no MMS)"
            ),
            (
                "name: P\nchannels: [x]\nvariants:\n  - {text: a, image: {file: missing.png, alt: A shoe}}",
                "p.yaml: variants[0].image.file: \"missing.png\" does not exist"
            ),
            (
                "name: P\nchannels: [x]\nvariants:\n  - {text: a, image: {file: notes.txt, alt: A shoe}}",
                "p.yaml: variants[0].image.file: is not a PNG, JPEG, GIF or WebP image"
            ),
        ] as [(String, String)]
    )
    func badImagesAreRefusedInOneLine(contents: String, message: String) async throws {
        let fixture = try await CLIFixture.make()
        try TestImages.png(width: 10, height: 10).write(to: fixture.folder.appendingPathComponent("shoe.png"))
        try fixture.write("notes.txt", "just some text, not an image")
        let path = try fixture.write("p.yaml", contents)
        let result = try await fixture.run("campaigns", "create", path)
        #expect(!result.succeeded)
        #expect(isOneLine(result.standardError), "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        let listed = try await fixture.run("campaigns", "list", "--json")
        #expect(!listed.standardOutput.contains("\"slug\""))
    }
}
