import Crypto
import Foundation
import HeraldCore

/// The signed, opaque token that names one audience message in its tracking links, open pixel and unsubscribe URLs
/// (`/r/{token}`, `/p/{token}.gif`, `/u/{token}`): no address and no contact id in any URL.
///
/// A token is base64url (no padding) of the message id's 16 bytes followed by the first 16 bytes of
/// HMAC-SHA256 over them under the workspace's token key (derived from Herald's secret key, see ``key(workspace:secrets:)``):
/// 43 characters, which tells it from a publication's 16-letter tracking code. Changing any character (even in the
/// last character's two bits that carry no data) makes
/// ``verify(_:key:)`` refuse it; a token of one workspace does not verify under another's key.
///
/// ```swift
/// let key = RecipientToken.key(workspace: workspace, secrets: secrets)
/// let token = RecipientToken.make(message: id, key: key)   // "q2v…" (43 characters)
/// RecipientToken.verify(token, key: key)                    // id
/// ```
public enum RecipientToken {
    /// How many characters a token has.
    public static let length = 43
    /// How many bytes of the HMAC a token keeps (128 bits).
    static let tagLength = 16
    /// The HKDF purpose of the token keys.
    static let purpose = "herald.recipient-token.v1"

    /// The workspace's token key, derived from Herald's secret key.
    public static func key(workspace: WorkspaceID, secrets: SecretBox) -> SymmetricKey {
        secrets.derivedKey(purpose: purpose, context: bytes(of: workspace.uuid))
    }

    /// The token of a message under a workspace's key.
    public static func make(message: UUID, key: SymmetricKey) -> String {
        let id = bytes(of: message)
        return TextEncoding.base64URL(id + tag(id, key: key))
    }

    /// Whether `text` has a token's shape (43 base64url characters); says nothing of its signature.
    public static func hasTokenShape(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length
            && text.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }

    /// The message a token names, before its signature is checked (to find the workspace whose key checks it).
    public static func message(in token: some StringProtocol) -> UUID? {
        guard hasTokenShape(token), let data = TextEncoding.bytes(base64URL: String(token)), data.count == 16 + tagLength else { return nil }
        return uuid(Array(data.prefix(16)))
    }

    /// The message of a token whose signature checks under `key`; nil for anything else.
    public static func verify(_ token: some StringProtocol, key: SymmetricKey) -> UUID? {
        guard hasTokenShape(token), let data = TextEncoding.bytes(base64URL: String(token)), data.count == 16 + tagLength else { return nil }
        let id = Array(data.prefix(16))
        let expected = tag(id, key: key)
        // Constant time: every byte compared whatever the first difference.
        var difference: UInt8 = 0
        for (a, b) in zip(expected, data.suffix(tagLength)) { difference |= a ^ b }
        return difference == 0 ? uuid(id) : nil
    }

    static func tag(_ id: [UInt8], key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: id, using: key)).prefix(tagLength).map { $0 }
    }

    static func bytes(of uuid: UUID) -> [UInt8] { withUnsafeBytes(of: uuid.uuid) { Array($0) } }

    static func uuid(_ bytes: [UInt8]) -> UUID {
        UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}
