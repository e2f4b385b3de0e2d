import Foundation
import HeraldCore
import Testing

struct VariantImageTests {
    @Test func aVariantCarriesAFileOrAURLImageInYAMLAndJSON() throws {
        let yaml = try CampaignSpec(
            parsing: """
                name: Trail
                channels: [bluesky, mastodon]
                variants:
                  - {key: A, text: "New shoes", image: {file: img/shoes.png, alt: "Red trail shoes on a rock"}}
                  - key: B
                    text: "Two looks"
                    images:
                      - {url: "https://cdn.example.com/a.jpg", alt: "A runner at dawn"}
                      - {file: b.webp, alt: "The same runner at dusk"}
                """,
            source: "c.yaml"
        )
        #expect(yaml.variants[0].images == [VariantImage(source: .file("img/shoes.png"), alt: "Red trail shoes on a rock")])
        #expect(yaml.variants[1].images.map(\.source) == [.url("https://cdn.example.com/a.jpg"), .file("b.webp")])
        let json = try CampaignSpec(
            parsing: #"{"name": "T", "channels": ["x"], "variants": [{"text": "a", "image": {"url": "https://e.com/a.png", "alt": "A dot"}}]}"#,
            source: "c.json"
        )
        #expect(json.variants[0].images == [VariantImage(source: .url("https://e.com/a.png"), alt: "A dot")])
    }

    @Test(arguments: [
        ("{file: a.png}", "c.yaml: variants[1].image.alt: is required (describe the image for people who cannot see it)"),
        ("{file: a.png, alt: \"  \"}", "c.yaml: variants[1].image.alt: is required (describe the image for people who cannot see it)"),
        ("{file: a.png, alt: \(String(repeating: "a", count: 1_501))}", "c.yaml: variants[1].image.alt: is 1501 characters; at most 1500"),
        ("{alt: x}", "c.yaml: variants[1].image.file: is required (or url): where the image is"),
        ("{file: a.png, url: \"https://e.com/a.png\", alt: x}", "c.yaml: variants[1].image: has both file and url; give one of them"),
        ("{url: \"ftp://e.com/a.png\", alt: x}", "c.yaml: variants[1].image.url: \"ftp://e.com/a.png\" is not an http or https URL with a host"),
        ("{file: a.png, alt: x, caption: y}", "c.yaml: variants[1].image.caption: unknown field (expected file or url, and alt)"),
        ("a.png", "c.yaml: variants[1].image: must be a mapping"),
    ])
    func badImagesNameTheField(image: String, message: String) {
        let text = "name: T\nchannels: [x]\nvariants:\n  - {text: a}\n  - {text: b, image: \(image)}\n"
        #expect {
            _ = try CampaignSpec(parsing: text, source: "c.yaml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test func atMostFourImages() {
        let images = (0..<5).map { "{file: \($0).png, alt: x}" }.joined(separator: ", ")
        #expect(throws: ValidationError(location: "c.yaml", field: "variants[0].images", reason: "has 5 images; at most 4")) {
            _ = try CampaignSpec(parsing: "name: T\nchannels: [x]\nvariants:\n  - {text: a, images: [\(images)]}\n", source: "c.yaml")
        }
    }

    @Test func storedImagesShowInTheVariantJSONOnlyWhenThereAreSome() throws {
        let plain = Campaign.Variant(id: VariantID(UUID()), key: "A", text: "a", channels: [.x])
        let plainJSON = String(decoding: try JSONEncoder().encode(plain), as: UTF8.self)
        #expect(!plainJSON.contains("images"))
        var pictured = plain
        pictured.media = [VariantMedia(id: UUID(), mimeType: "image/png", width: 2, height: 3, byteSize: 64, altText: "A dot")]
        let object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(pictured)) as? [String: Any])
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.first?["alt"] as? String == "A dot")
        #expect(images.first?["mime_type"] as? String == "image/png")
        #expect(try JSONDecoder().decode(Campaign.Variant.self, from: try JSONEncoder().encode(pictured)) == pictured)
    }
}
