import Foundation
import HeraldTestKit

/// Chat-completion answers for the stub LLM endpoint.
extension StubReply {
    /// A chat completion whose message content is `content`.
    static func completion(_ content: String, tokens: Int = 120) -> StubReply {
        let envelope: [String: Any] = [
            "id": "chatcmpl-test", "object": "chat.completion",
            "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
            "usage": ["prompt_tokens": 100, "completion_tokens": tokens - 100, "total_tokens": tokens],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: envelope)) ?? Data()
        return StubReply(body: String(decoding: data, as: UTF8.self))
    }

    /// A completion whose content is `{"variants": [{"text": ...}, ...]}`.
    static func variants(_ texts: [String]) -> StubReply {
        let object = ["variants": texts.map { ["text": $0] }]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return completion(String(decoding: data, as: UTF8.self))
    }
}

/// An OpenAI-compatible chat completions endpoint on 127.0.0.1 for tests, answering from a closure.
enum StubLLMServer {
    /// Runs `body` with the endpoint's base URL (`.../v1`) and the server (whose `all` lists the requests).
    static func with<T>(
        _ respond: @escaping @Sendable (Int, StubRequest) -> StubReply,
        _ body: (URL, StubHTTPServer) async throws -> T
    ) async throws -> T {
        try await StubHTTPServer.with(respond) { server, base in
            try await body(URL(string: base + "/v1")!, server)
        }
    }
}
