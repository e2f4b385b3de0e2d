import AsyncHTTPClient
import Connectors
import Foundation
import HeraldCore
import Logging
import NIOCore
import NIOHTTP1

/// Posts signed JSON to a webhook URL (see ``WebhookSignature``).
public struct WebhookSender: Sendable {
    /// How long one delivery may take before it counts as failed (and the job retries).
    public var timeout: TimeAmount

    public init(timeout: TimeAmount = .seconds(10)) {
        self.timeout = timeout
    }

    /// A delivery the receiver did not accept.
    public struct DeliveryError: Error, CustomStringConvertible, Sendable {
        public var url: String
        public var reason: String
        public var description: String { "webhook \(url): \(reason)" }
    }

    /// Posts `body` with `Herald-Timestamp`, `Herald-Signature` (when there is a secret) and `Herald-Delivery` headers.
    ///
    /// - Parameters:
    ///   - url: An http or https URL.
    ///   - body: The JSON body, signed exactly as sent.
    ///   - secret: The shared secret; nil sends the body unsigned.
    ///   - timestamp: Unix seconds of the delivery (signed with the body, so a replay can be refused).
    ///   - delivery: An id that stays the same across retries of one delivery, for receivers to drop duplicates.
    ///   - headers: More headers (name, value), e.g. a lifecycle event's `Idempotency-Key`.
    /// - Throws: ``DeliveryError`` unless the receiver answers 2xx.
    public func post(
        url: String,
        body: String,
        secret: String?,
        timestamp: Int,
        delivery: String,
        headers: [(name: String, value: String)] = [],
        logger: Logger
    ) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Herald-Webhook/1")
        request.headers.add(name: "Herald-Timestamp", value: String(timestamp))
        request.headers.add(name: "Herald-Delivery", value: delivery)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let secret {
            request.headers.add(name: "Herald-Signature", value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret))
        }
        request.body = .bytes(ByteBuffer(string: body))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout, logger: logger)
        } catch {
            throw DeliveryError(url: url, reason: "\(error)")
        }
        // Drain (and bound) the body so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw DeliveryError(url: url, reason: "answered \(response.status.code)")
        }
        logger.info("webhook delivered", metadata: ["herald.webhook.delivery": "\(delivery)", "herald.webhook.status": "\(response.status.code)"])
    }

    /// Checks that `text` is an absolute http(s) URL with a host.
    public static func validate(url text: String) throws(ValidationError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError(field: "webhook", reason: "\"\(text)\" is not an http or https URL")
        }
    }
}
