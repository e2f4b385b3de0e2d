import Crypto
import Foundation
import HeraldCore

/// Digests of contact addresses: HMAC-SHA256 of the normalised address (email or E.164 phone) under a key of the
/// workspace, so suppression can be kept without keeping the address.
///
/// The workspace's key is derived from Herald's secret key with HKDF-SHA256, info `herald-address-digest` followed by
/// the workspace's id (its 16 bytes): the same address digests differently in each workspace, and neither the secret
/// key nor a derived key leaves this type.
public struct AddressDigester: Sendable {
    private let secret: SymmetricKey

    /// A digester under the key of `secrets`.
    public init(secrets: SecretBox) {
        secret = secrets.key
    }

    /// The workspace's derived key.
    func key(for workspace: WorkspaceID) -> SymmetricKey {
        var info = Data("herald-address-digest".utf8)
        withUnsafeBytes(of: workspace.uuid.uuid) { info.append(contentsOf: $0) }
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: secret, info: info, outputByteCount: 32)
    }

    /// The 32-byte digest of a normalised address in `workspace`.
    public func digest(_ address: String, workspace: WorkspaceID) -> [UInt8] {
        digest(address, key: key(for: workspace))
    }

    /// The digest under a key already derived (for many addresses of one workspace).
    func digest(_ address: String, key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(address.utf8), using: key))
    }
}
