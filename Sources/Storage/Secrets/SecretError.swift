import Foundation

/// Why a secret could not be sealed or opened, or why Herald's secret key could not be used; the message says what to
/// do. Nothing is ever decrypted when one is thrown, and no message carries a secret.
public struct SecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong; a struct over a private enum so new codes do not break callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case badKey = "bad_key"
            case unsafeKeyFile = "unsafe_key_file"
            case keyFile = "key_file"
            case wrongKey = "wrong_key"
            case tampered
            case unsupportedVersion = "unsupported_version"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `HERALD_SECRET_KEY` (or the key file) is not the base64 of 32 bytes.
        public static let badKey = Code(.badKey)
        /// The key file can be read by its group or by others.
        public static let unsafeKeyFile = Code(.unsafeKeyFile)
        /// The key file could not be read or created.
        public static let keyFile = Code(.keyFile)
        /// The secret was sealed with a key Herald does not have.
        public static let wrongKey = Code(.wrongKey)
        /// The sealed bytes were changed, or belong to another account.
        public static let tampered = Code(.tampered)
        /// The sealed bytes carry a format version this Herald does not know.
        public static let unsupportedVersion = Code(.unsupportedVersion)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened and what to do, for a person.
    public var message: String
    /// The id of the key that sealed the secret, when the error is about a sealed secret.
    public var sealedWith: String?

    public init(_ code: Code, _ message: String, sealedWith: String? = nil) {
        self.code = code
        self.message = message
        self.sealedWith = sealedWith
    }

    public var description: String { message }
}
