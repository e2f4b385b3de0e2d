import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seals and opens secrets (accounts' credentials) with AES-GCM under Herald's secret key.
///
/// The key is 32 random bytes, given as base64 in `HERALD_SECRET_KEY` or kept in `<HERALD_HOME>/secret.key` (created
/// with mode 0600 when absent; a key file its group or others can read is refused). A key's id is the first 8 hex
/// digits of its SHA-256: it is stored next to each sealed secret, so an error can say which key sealed it, and
/// rotation knows what to re-seal.
///
/// Sealed form: one version byte (1), then AES-GCM's combined box (12-byte nonce, ciphertext, 16-byte tag). The
/// context (e.g. `account:<uuid>`) is authenticated as associated data, so a sealed secret copied to another account's
/// row does not open.
public struct SecretBox: Sendable {
    /// The environment variable that holds the key (base64 of 32 bytes).
    public static let environmentVariable = "HERALD_SECRET_KEY"
    /// The key file's name under `HERALD_HOME`.
    public static let keyFileName = "secret.key"
    /// How to make a key, for messages.
    public static let howToMakeAKey = "openssl rand -base64 32"
    /// The sealed form's version byte.
    static let version: UInt8 = 1

    /// The key that seals.
    /// (Module-internal: ``AddressDigester`` derives its keys from it; never public.)
    let key: SymmetricKey
    /// Keys that only open, by id: those a rotation leaves beside the key file until it is done
    /// (`secret.key.old`, `secret.key.new`).
    private let openingKeys: [String: SymmetricKey]
    /// The id of the key that seals.
    public let keyID: String
    /// Where the key came from (`HERALD_SECRET_KEY`, or the key file's path), for messages.
    public let source: String

    /// A box sealing with `key`.
    ///
    /// - Parameters:
    ///   - key: 32 bytes.
    ///   - source: Where the key came from, for messages.
    ///   - openingKeys: Further keys that open what they sealed (never used to seal).
    public init(key: SymmetricKey, source: String = "a key given in code", openingKeys: [SymmetricKey] = []) {
        self.key = key
        self.keyID = Self.keyID(of: key)
        self.source = source
        var opening: [String: SymmetricKey] = [:]
        for other in openingKeys { opening[Self.keyID(of: other)] = other }
        opening[keyID] = key
        self.openingKeys = opening
    }

    /// A box sealing with the key written as base64 (what `HERALD_SECRET_KEY` and the key file hold).
    ///
    /// - Parameter source: Where the text came from (a variable's name or a file's path), named in the error.
    /// - Throws: ``SecretError`` (`badKey`) when the text is not the base64 of 32 bytes.
    public init(base64 text: String, source: String) throws(SecretError) {
        self.init(key: try Self.key(base64: text, source: source), source: source)
    }

    /// Makes a new random key, as base64 (what `openssl rand -base64 32` prints).
    public static func generateKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The id of a key: the first 8 hex digits of its SHA-256.
    public static func keyID(of key: SymmetricKey) -> String {
        let digest = key.withUnsafeBytes { SHA256.hash(data: $0) }
        return digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// Herald's box: the key in `HERALD_SECRET_KEY` when set, else the key file `<home>/secret.key`, created (mode 0600,
    /// with `home` if missing) when absent. Beside the key file, `secret.key.old` and `secret.key.new` (left by a
    /// rotation until it is done, or by one that was interrupted) are read as keys that only open.
    ///
    /// - Throws: ``SecretError``: a value that is not the base64 of 32 bytes (`badKey`), a key file its group or others
    ///   can read (`unsafeKeyFile`), a key file that cannot be read or made (`keyFile`).
    public static func load(environment: [String: String], home: URL) throws -> SecretBox {
        if let text = environment[environmentVariable], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return try SecretBox(base64: text, source: environmentVariable)
        }
        let file = keyFile(home: home)
        if !FileManager.default.fileExists(atPath: file.path) {
            try createKeyFile(at: file, base64: generateKey())
        }
        let key = try readKeyFile(file)
        var others: [SymmetricKey] = []
        for suffix in [".old", ".new"] {
            let other = URL(fileURLWithPath: file.path + suffix)
            if FileManager.default.fileExists(atPath: other.path) { others.append(try readKeyFile(other)) }
        }
        return SecretBox(key: key, source: file.path, openingKeys: others)
    }

    /// The key file under `home`.
    public static func keyFile(home: URL) -> URL { home.appendingPathComponent(keyFileName) }

    /// Seals `plaintext` for `context` under the box's key.
    ///
    /// - Parameter context: What the secret belongs to (`account:<uuid>`); the same context must be given to open it.
    /// - Returns: The sealed bytes and the id of the key that sealed them (store both).
    public func seal(_ plaintext: Data, context: String) throws -> (sealed: Data, keyID: String) {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Self.associatedData(context))
        guard let combined = box.combined else { throw SecretError(.tampered, "AES-GCM gave no combined box (nonce size)") }
        var sealed = Data([Self.version])
        sealed.append(combined)
        return (sealed, keyID)
    }

    /// Opens what ``seal(_:context:)`` sealed.
    ///
    /// - Parameters:
    ///   - keyID: The id stored with the sealed bytes.
    ///   - context: The context it was sealed for.
    /// - Throws: ``SecretError``: sealed with a key this box does not have (`wrongKey`), bytes changed or sealed for
    ///   another context (`tampered`), an unknown format (`unsupportedVersion`); each names the key that sealed it and
    ///   what to do.
    public func open(_ sealed: Data, keyID: String, context: String) throws -> Data {
        guard let key = openingKeys[keyID] else {
            throw SecretError(
                .wrongKey,
                "the credentials of \(context) were sealed with key \(keyID), but the key in use (\(source)) is \(self.keyID): "
                    + "set \(Self.environmentVariable) to the key that sealed them (or put it back in the key file), or reconnect the account",
                sealedWith: keyID
            )
        }
        guard let version = sealed.first, version == Self.version else {
            throw SecretError(
                .unsupportedVersion,
                "the credentials of \(context) (sealed with key \(keyID)) are not in a format this Herald reads"
                    + "\(sealed.first.map { " (version \($0))" } ?? " (empty)"): reconnect the account",
                sealedWith: keyID
            )
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return try AES.GCM.open(box, using: key, authenticating: Self.associatedData(context))
        } catch {
            throw SecretError(
                .tampered,
                "the credentials of \(context) (sealed with key \(keyID)) do not open with that key: they were changed, or belong to "
                    + "another account; nothing was decrypted: reconnect the account",
                sealedWith: keyID
            )
        }
    }

    /// A key for one purpose derived from the box's key (HKDF-SHA256), e.g. the signing key of a workspace's recipient
    /// tokens: the secret key itself never signs anything a client sees.
    ///
    /// - Parameters:
    ///   - purpose: What the key is for (`herald.recipient-token.v1`), the HKDF salt.
    ///   - context: Whose key it is (a workspace's id bytes), the HKDF info.
    public func derivedKey(purpose: String, context: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, salt: Array(purpose.utf8), info: context, outputByteCount: 32)
    }

    /// Whether this box opens what the key `keyID` sealed.
    public func opens(keyID: String) -> Bool { openingKeys[keyID] != nil }

    /// The associated data that binds a sealed secret to its context (and to this format).
    static func associatedData(_ context: String) -> Data { Data("herald.secret.v1:\(context)".utf8) }

    /// Decodes a base64 key of 32 bytes.
    static func key(base64 text: String, source: String) throws(SecretError) -> SymmetricKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed), bytes.count == 32 else {
            throw SecretError(
                .badKey,
                "\(source) is not a secret key: it must be the base64 of 32 random bytes; make one with `\(howToMakeAKey)`"
            )
        }
        return SymmetricKey(data: bytes)
    }

    /// Reads a key file, refusing one its group or others can read.
    static func readKeyFile(_ file: URL) throws -> SymmetricKey {
        var status = stat()
        guard stat(file.path, &status) == 0 else {
            throw SecretError(.keyFile, "cannot read the key file \(file.path): \(String(cString: strerror(errno)))")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw SecretError(
                .unsafeKeyFile,
                "the key file \(file.path) can be read by its group or others (mode \(String(mode, radix: 8))): "
                    + "run `chmod 600 \(file.path)` (and consider rotating the key with `herald secrets rotate`)"
            )
        }
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw SecretError(.keyFile, "cannot read the key file \(file.path): \(error.localizedDescription)")
        }
        return try key(base64: text, source: "the key file \(file.path)")
    }

    /// Writes a new key file with mode 0600, never replacing one (two processes creating it at once: one wins, the
    /// other reads the winner's key). Creates the folder (mode 0700) when missing.
    static func createKeyFile(at file: URL, base64: String) throws {
        let folder = file.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SecretError(.keyFile, "cannot create \(folder.path) for the key file: \(error.localizedDescription)")
        }
        let descriptor = createExclusively(file.path, mode: 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw SecretError(.keyFile, "cannot create the key file \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array((base64 + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            unlink(file.path)
            throw SecretError(.keyFile, "cannot write the key file \(file.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// `open(2)` with `O_CREAT | O_EXCL` (the name `open` is the box's own method inside ``SecretBox``).
private func createExclusively(_ path: String, mode: mode_t) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
}
