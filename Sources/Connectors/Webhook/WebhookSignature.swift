import Crypto
import Foundation
import HeraldCore

/// Signs webhook bodies so receivers can check they come from Herald and were not replayed.
///
/// The signature is HMAC-SHA256, keyed by the shared secret, over `"<timestamp>.<body>"`, sent as
/// `Herald-Signature: v1=<lowercase hex>` beside `Herald-Timestamp: <unix seconds>`. A receiver
/// recomputes it over the raw body, compares in constant time and rejects old timestamps.
public enum WebhookSignature {
    /// The `Herald-Signature` value for `body` sent at `timestamp` (unix seconds).
    ///
    /// ```swift
    /// WebhookSignature.sign(body: "{}", timestamp: 1_700_000_000, secret: "s3cret")  // "v1=…"
    /// ```
    public static func sign(body: String, timestamp: Int, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: key)
        return "v1=" + TextEncoding.hex(mac)
    }

    /// Whether `signature` is a valid `v1` signature of `body` at `timestamp` (constant-time comparison).
    public static func verify(signature: String, body: String, timestamp: Int, secret: String) -> Bool {
        let expected = Array(sign(body: body, timestamp: timestamp, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
