import Foundation

/// What a vision model suggested for an image: alt text and caption ideas. Generated content, to be reviewed.
public struct ImageDescription: Sendable, Equatable, Codable {
    /// A description for people who cannot see the image.
    public var altText: String
    /// Short post captions the image suggests.
    public var captions: [String]

    public init(altText: String, captions: [String]) {
        self.altText = altText
        self.captions = captions
    }

    enum CodingKeys: String, CodingKey {
        case altText = "alt_text"
        case captions
    }

    /// Reads the model's message: `{"alt_text": "…", "captions": ["…", …]}`, possibly inside a ```json fence.
    public static func parse(_ content: String) throws(LLMError) -> ImageDescription {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            text = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
            if let fence = text.range(of: "```", options: .backwards) { text = String(text[..<fence.lowerBound]) }
        }
        guard var answer = try? JSONDecoder().decode(ImageDescription.self, from: Data(text.utf8)) else {
            let preview = text.count > 80 ? String(text.prefix(80)) + "…" : text
            throw .malformedAnswer("expected {\"alt_text\": …, \"captions\": […]}, got \(preview.isEmpty ? "nothing" : "\"\(preview)\"")")
        }
        answer.altText = answer.altText.trimmingCharacters(in: .whitespacesAndNewlines)
        answer.captions = answer.captions.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !answer.altText.isEmpty else { throw .malformedAnswer("the alt text was empty") }
        return answer
    }
}
