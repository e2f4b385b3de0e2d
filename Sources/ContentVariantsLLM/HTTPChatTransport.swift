import AsyncHTTPClient
import ContentVariants
import Foundation
import NIOCore
import NIOHTTP1

/// Sends chat completions requests with async-http-client.
public struct HTTPChatTransport: ChatTransport {
    let client: HTTPClient
    /// The largest answer read, in bytes.
    let maximumResponseBytes: Int

    /// - Parameter client: The client to use (e.g. `HTTPClient.shared`); its owner shuts it down.
    public init(client: HTTPClient = .shared, maximumResponseBytes: Int = 4 << 20) {
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ body: Data, to endpoint: URL, apiKey: String?, timeout: Duration) async throws(LLMError) -> ChatHTTPResponse {
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let milliseconds = Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let deadline = NIODeadline.now() + .milliseconds(max(1, milliseconds))
        let client = client
        let finished = request
        let maximumResponseBytes = maximumResponseBytes
        do {
            // The client's own deadline, and a timer of ours beside it: whichever ends first ends the attempt,
            // so a slow answer never holds the caller past `timeout` even if the client's timer is late.
            return try await withThrowingTaskGroup(of: ChatHTTPResponse.self) { group in
                group.addTask {
                    let response = try await client.execute(finished, deadline: deadline)
                    let buffer = try await response.body.collect(upTo: maximumResponseBytes)
                    return ChatHTTPResponse(status: Int(response.status.code), body: Data(buffer.readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw LLMError.timedOut(attempts: 1)
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw LLMError.timedOut(attempts: 1) }
                return first
            }
        } catch let error as LLMError {
            throw error
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { throw .timedOut(attempts: 1) }
            throw .transport("\(error)")
        } catch let error as NIOTooManyBytesError {
            throw .malformedAnswer("the answer is larger than \(maximumResponseBytes) bytes (\(error))")
        } catch {
            throw .transport("\(error)")
        }
    }
}
