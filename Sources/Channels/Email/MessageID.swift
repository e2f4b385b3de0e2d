import Crypto
import HeraldCore

/// The `Message-ID` of a message, derived from its idempotency key and the sender's domain, so every attempt at the
/// same delivery carries the same one (a receiving server, or a person reading the logs, can tell a retry from a
/// second message).
///
/// ```swift
/// MessageID.make(idempotencyKey: "send:42:7", sender: "news@example.com")
/// // "<3f1c…(32 hex digits).herald@example.com>"
/// ```
public enum MessageID {
    /// `<` + the first 16 bytes of SHA-256(key) in hex + `.herald@` + the sender's domain (lowercased) + `>`; the
    /// domain is `herald.invalid` when the sender has none.
    public static func make(idempotencyKey: String, sender: String) -> String {
        let digest = SHA256.hash(data: Array(idempotencyKey.utf8))
        return "<\(TextEncoding.hex(digest.prefix(16))).herald@\(domain(of: sender))>"
    }

    /// The part of an address after its last `@`, lowercased (`herald.invalid` when there is none).
    public static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "herald.invalid" }
        let domain = address[address.index(after: at)...].lowercased().filter { $0 != ">" && !$0.isWhitespace }
        return domain.isEmpty ? "herald.invalid" : domain
    }
}
