import Crypto
import Foundation
import HeraldCore
import NIOCore

/// A random secret handed out once (a session cookie, an invitation link) and stored as its SHA-256 only.
///
/// 32 random bytes leave nothing to guess, so a fast hash is enough.
public struct SecretToken: Sendable {
    /// The secret, base64url: what the person gets.
    public let secret: String

    /// A new random secret.
    public init() {
        var generator = SystemRandomNumberGenerator()
        secret = TextEncoding.base64URL((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The SHA-256 of a secret, as the `bytea` stored.
    static func hash(_ secret: String) -> ByteBuffer {
        ByteBuffer(bytes: SHA256.hash(data: Data(secret.utf8)))
    }

    var hash: ByteBuffer { Self.hash(secret) }

    /// Whether `text` can be a secret at all (base64url of 32 bytes), checked before any query.
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
