import Crypto
import Foundation

/// The record key of a publication's post: a TID (atproto.com/specs/tid, specs/record-key) derived from the
/// publication's idempotency key, so every attempt writes the same key and a retry collides with the first post
/// instead of making a second one.
///
/// A TID is a 64-bit number with its top bit 0, written as 13 characters of base32-sortable
/// (`234567abcdefghijklmnopqrstuvwxyz`), most significant first; the first character is then one of
/// `234567abcdefghij`. Record keys "can be specified by the end user and could have any value" (the spec), so a
/// hashed key is a valid `tid` key for `app.bsky.feed.post`; its timestamp part is not the posting time.
public struct RecordKey: Sendable, Hashable, CustomStringConvertible {
    /// The 13 characters.
    public let rawValue: String

    /// The base32-sortable alphabet.
    static let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz".unicodeScalars)

    /// The key for a publication's idempotency key: the first 8 bytes of its SHA-256, top bit cleared.
    public init(idempotencyKey: String) {
        let digest = Array(SHA256.hash(data: Data(idempotencyKey.utf8)))
        let value = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) } & ~(UInt64(1) << 63)
        self.init(value: value)
    }

    /// The key that writes `value` (top bit must be 0).
    public init(value: UInt64) {
        precondition(value >> 63 == 0, "a TID's top bit is 0")
        var characters: [Unicode.Scalar] = []
        for position in (0..<13).reversed() {
            characters.append(Self.alphabet[Int((value >> UInt64(position * 5)) & 31)])
        }
        rawValue = String(String.UnicodeScalarView(characters))
    }

    /// Whether `text` is a syntactically valid TID (`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`).
    public static func isValidTID(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 13, let first = alphabet.firstIndex(of: scalars[0]), first < 16 else { return false }
        return scalars.allSatisfy { alphabet.contains($0) }
    }

    public var description: String { rawValue }
}
