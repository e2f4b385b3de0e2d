import Crypto
import Foundation
import HeraldCore

/// Signed, expiring links to a workspace's reports, for people without a token.
///
/// A link carries `workspace`, `expires` (Unix seconds) and `signature`: HMAC-SHA256, keyed with the
/// workspace's share secret, over `workspace \n scope \n expires`. The scope is a campaign slug (its
/// report in every format) or `*` (the overview).
struct ShareLink: Sendable, Equatable {
    var workspace: WorkspaceID
    /// A campaign slug, or `*` for the workspace overview.
    var scope: String
    var expires: Int64

    static func message(workspace: WorkspaceID, scope: String, expires: Int64) -> Data {
        Data("\(workspace)\n\(scope)\n\(expires)".utf8)
    }

    /// The signature, lowercase hex.
    func signature(secret: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Self.message(workspace: workspace, scope: scope, expires: expires), using: SymmetricKey(data: secret)
        )
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is right for this link and it has not expired at `now` (constant-time comparison).
    func verify(signature: String, secret: [UInt8], now: Date) -> Bool {
        guard Double(expires) > now.timeIntervalSince1970, let bytes = Self.bytes(hex: signature), bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            bytes, authenticating: Self.message(workspace: workspace, scope: scope, expires: expires), using: SymmetricKey(data: secret)
        )
    }

    /// The query string that grants this link.
    func query(secret: [UInt8]) -> String {
        "workspace=\(workspace)&expires=\(expires)&signature=\(signature(secret: secret))"
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
