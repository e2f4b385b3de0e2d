import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends platform requests over AsyncHTTPClient, and says what a failure on the wire means: a connection that was
/// never made is transient (nothing was sent); a timeout or a reset after the request went out is an unknown
/// outcome unless the request is idempotent.
public struct PlatformHTTP: Sendable {
    let client: HTTPClient
    /// How long one request may take, answer included.
    public var timeout: Duration

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.client = client
        self.timeout = timeout
    }

    /// Sends `request` and reads the whole answer (at most 8 MiB).
    ///
    /// - Throws: ``ConnectorError`` (transient or unknown_outcome) when no answer came.
    public func send(_ request: PlatformRequest) async throws -> PlatformResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = Int64(timeout.components.seconds) + (timeout.components.attoseconds > 0 ? 1 : 0)
        do {
            let response = try await client.execute(outgoing, timeout: .seconds(max(seconds, 1)))
            let body = try await response.body.collect(upTo: 8 << 20)
            return PlatformResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Data(body.readableBytesView)
            )
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw Self.classify(error, request: request)
        }
    }

    /// What a request that got no answer means.
    static func classify(_ error: any Error, request: PlatformRequest) -> ConnectorError {
        let notSent: Bool
        if let error = error as? HTTPClientError {
            notSent = [.connectTimeout, .invalidURL, .emptyHost, .emptyScheme].contains(error)
        } else {
            let text = String(describing: error).lowercased()
            notSent =
                text.contains("connection refused") || text.contains("connectionrefused") || text.contains("econnrefused")
                || text.contains("connectTimeout".lowercased())
        }
        let described = String(describing: error)
        if notSent || request.idempotent {
            return ConnectorError(.transient, "no answer from \(Self.host(of: request.url)): \(described)")
        }
        return ConnectorError(.unknownOutcome, "no answer from \(Self.host(of: request.url)) after sending: \(described)")
    }

    static func host(of url: String) -> String {
        URL(string: url)?.host ?? url
    }
}
