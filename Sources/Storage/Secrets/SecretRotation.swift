import Foundation
import PostgresNIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Re-seals every account's credentials under a new key (`herald secrets rotate`): across all workspaces, since the
/// key is the installation's, in one transaction, so the database is never half under one key and half under another.
public struct SecretRotation: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// What a rotation did.
    public struct Outcome: Sendable, Equatable {
        /// How many accounts' credentials were re-sealed.
        public var accounts: Int
        /// The key that sealed them before (the key in use when the rotation started).
        public var oldKeyID: String
        /// The key that seals them now.
        public var newKeyID: String
    }

    /// Re-seals every account's credentials under `new`, opening each with `current` (or `new`, for what it sealed
    /// already).
    ///
    /// - Returns: How many accounts were re-sealed.
    /// - Throws: ``SecretError`` naming the account whose credentials do not open (then nothing changes).
    public func reseal(from current: SecretBox, to new: SecretBox) async throws -> Int {
        let logger = database.logger
        return try await database.transaction { connection in
            let rows = try await connection.query(
                "SELECT a.id, a.name, w.slug, a.credentials, a.key_id FROM accounts a JOIN workspaces w ON w.id = a.workspace_id FOR UPDATE OF a",
                logger: logger
            )
            var sealed: [(UUID, String, String, Data, String)] = []
            for try await row in rows.decode((UUID, String, String, Data, String).self) { sealed.append(row) }
            for (id, name, workspace, box, keyID) in sealed {
                let context = AccountStore.context(id)
                let plaintext: Data
                do {
                    plaintext = try (new.opens(keyID: keyID) ? new : current).open(box, keyID: keyID, context: context)
                } catch var error as SecretError {
                    error.message =
                        error.message.replacingOccurrences(of: context, with: "account \"\(name)\" (workspace \(workspace))")
                        + "; nothing was rotated"
                    throw error
                }
                let resealed = try new.seal(plaintext, context: context)
                try await connection.query(
                    "UPDATE accounts SET credentials = \(resealed.sealed), key_id = \(resealed.keyID), updated_at = now() WHERE id = \(id)",
                    logger: logger
                )
            }
            return sealed.count
        }
    }

    /// Rotates the key file under `home`: a new key (`newKey`, base64, or a generated one) is written to
    /// `secret.key.new` and the key in use is kept as `secret.key.old` until the credentials are re-sealed; then the new
    /// key becomes `secret.key` and `secret.key.old` is removed. Interrupted at any point, ``SecretBox/load(environment:home:)``
    /// still opens everything (it reads both leftovers), and running the rotation again finishes it.
    ///
    /// - Throws: ``SecretError`` for a bad or unsafe key file or a bad `newKey`; what ``reseal(from:to:)`` throws.
    public func rotateKeyFile(home: URL, newKey: String? = nil) async throws -> Outcome {
        let file = SecretBox.keyFile(home: home)
        let pending = URL(fileURLWithPath: file.path + ".new")
        let old = URL(fileURLWithPath: file.path + ".old")
        let current = try SecretBox.load(environment: [:], home: home)
        if let newKey {
            _ = try SecretBox(base64: newKey, source: "the new key")
            if FileManager.default.fileExists(atPath: pending.path) { try Self.remove(pending) }
            try SecretBox.createKeyFile(at: pending, base64: newKey)
        } else if !FileManager.default.fileExists(atPath: pending.path) {
            try SecretBox.createKeyFile(at: pending, base64: SecretBox.generateKey())
        }
        let new = SecretBox(key: try SecretBox.readKeyFile(pending), source: pending.path)
        if !FileManager.default.fileExists(atPath: old.path) {
            let text = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            try SecretBox.createKeyFile(at: old, base64: text)
        }
        let count = try await reseal(from: current, to: new)
        guard rename(pending.path, file.path) == 0 else {
            throw SecretError(
                .keyFile,
                "the credentials are re-sealed under key \(new.keyID), in \(pending.path), but it could not be moved to \(file.path): "
                    + "\(String(cString: strerror(errno))); move it by hand"
            )
        }
        try Self.remove(old)
        return Outcome(accounts: count, oldKeyID: current.keyID, newKeyID: new.keyID)
    }

    static func remove(_ file: URL) throws {
        do {
            try FileManager.default.removeItem(at: file)
        } catch {
            throw SecretError(.keyFile, "cannot remove \(file.path): \(error.localizedDescription)")
        }
    }
}
