import ContentVariants
import ContentVariantsLLM
import Foundation
import HeraldCore
import HeraldTestKit
import Testing

@Suite struct ImageDescriberTests {
    static let image = TestImages.png(width: 40, height: 30)
    static let answer =
        #"{"alt_text": "Red trail shoes on a wet rock.", "captions": ["Grip for wet rock.", "Made for the mud.", "Your next trail starts here."]}"#

    func configuration(_ url: URL, vision: Bool = true) -> LLMConfiguration {
        LLMConfiguration(endpoint: url, model: "vision-test", timeout: .seconds(5), maxAttempts: 2, retryDelay: .milliseconds(10), vision: vision)
    }

    @Test func sendsTheImageAsADataURLContentPartAndReadsAltTextAndCaptions() async throws {
        try await StubLLMServer.with({ _, _ in .completion(Self.answer) }) { url, log in
            let describer = try ImageDescriber(configuration: configuration(url), transport: HTTPChatTransport())
            let description = try await describer.describe(image: Self.image, mimeType: "image/png", context: "Trail season is here.")
            #expect(
                description
                    == ImageDescription(
                        altText: "Red trail shoes on a wet rock.",
                        captions: ["Grip for wet rock.", "Made for the mud.", "Your next trail starts here."]
                    )
            )

            let request = try #require(log.all.first)
            #expect(request.path == "/v1/chat/completions")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
            #expect(body["model"] as? String == "vision-test")
            let messages = try #require(body["messages"] as? [[String: Any]])
            let parts = try #require(messages.last?["content"] as? [[String: Any]])
            #expect(parts.map { $0["type"] as? String } == ["text", "image_url"])
            #expect((parts[0]["text"] as? String)?.contains("Trail season is here.") == true)
            let imageURL = try #require((parts[1]["image_url"] as? [String: Any])?["url"] as? String)
            #expect(imageURL == "data:image/png;base64,\(Self.image.base64EncodedString())")
        }
    }

    @Test func aModelNotMarkedAsSeeingIsRefusedWithoutARequest() async throws {
        try await StubLLMServer.with({ _, _ in .completion(Self.answer) }) { url, log in
            #expect(throws: ValidationError.self) {
                _ = try ImageDescriber(configuration: configuration(url, vision: false), transport: HTTPChatTransport())
            }
            #expect(log.all.isEmpty)
        }
        let environment = ["HERALD_LLM_URL": "http://127.0.0.1:9/v1", "HERALD_LLM_MODEL": "m"]
        #expect(try LLMConfiguration(environment: environment)?.vision == false)
        #expect(try LLMConfiguration(environment: environment.merging(["HERALD_LLM_VISION": "1"]) { $1 })?.vision == true)
        #expect(throws: ValidationError.self) { _ = try LLMConfiguration(environment: environment.merging(["HERALD_LLM_VISION": "maybe"]) { $1 }) }
    }

    @Test func malformedAnswersAreRetriedThenReported() async throws {
        try await StubLLMServer.with({ number, _ in number == 0 ? .completion("I see shoes.") : .completion("```json\n\(Self.answer)\n```") }) {
            url,
            log in
            let describer = try ImageDescriber(configuration: configuration(url), transport: HTTPChatTransport())
            let description = try await describer.describe(image: Self.image, mimeType: "image/png", context: "")
            #expect(description.captions.count == 3 && log.all.count == 2)
        }
        #expect(throws: LLMError.self) { _ = try ImageDescription.parse(#"{"alt_text": " ", "captions": []}"#) }
    }
}
