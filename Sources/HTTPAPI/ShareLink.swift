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
            for: Self.message(workspace: workspace, scope: scope, expires: expires),
            using: SymmetricKey(data: secret)
        )
        return TextEncoding.hex(code)
    }

    /// Whether `signature` is right for this link and it has not expired at `now` (constant-time comparison).
    func verify(signature: String, secret: [UInt8], now: Date) -> Bool {
        guard Double(expires) > now.timeIntervalSince1970, let bytes = TextEncoding.bytes(hex: signature), bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            bytes,
            authenticating: Self.message(workspace: workspace, scope: scope, expires: expires),
            using: SymmetricKey(data: secret)
        )
    }

    /// The query string that grants this link.
    func query(secret: [UInt8]) -> String {
        "workspace=\(workspace)&expires=\(expires)&signature=\(signature(secret: secret))"
    }
}
