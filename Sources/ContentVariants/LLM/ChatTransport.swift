import Foundation

/// Sends one chat completions request and returns the raw answer; the HTTP client lives behind it so
/// the generator stays free of I/O and tests can stand in a local server or a stub.
public protocol ChatTransport: Sendable {
    /// POSTs `body` (JSON) to `endpoint`.
    ///
    /// - Throws: ``LLMError/timedOut(attempts:)`` when `timeout` passes, ``LLMError/transport(_:)`` when the connection fails.
    func send(_ body: Data, to endpoint: URL, apiKey: String?, timeout: Duration) async throws(LLMError) -> ChatHTTPResponse
}

/// A status and a body.
public struct ChatHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}
