import HeraldCore
import HummingbirdBcrypt
import NIOPosix

/// Passwords of the back office: checked, hashed with bcrypt (HummingbirdBcrypt) and verified.
public enum Passwords {
    /// The bcrypt cost used unless a test asks for less.
    public static let defaultCost: UInt8 = 12
    /// The fewest characters a password may have.
    public static let minimumLength = 10
    /// bcrypt reads at most 72 bytes; a longer password would be cut silently, so it is refused.
    public static let maximumBytes = 72

    /// Checks a new password's length.
    ///
    /// - Throws: ``ValidationError`` (field `password`) saying what is wrong.
    public static func check(_ password: String) throws(ValidationError) {
        guard password.count >= minimumLength else {
            throw ValidationError(field: "password", reason: "is shorter than \(minimumLength) characters")
        }
        guard password.utf8.count <= maximumBytes else {
            throw ValidationError(field: "password", reason: "is longer than \(maximumBytes) bytes, which bcrypt cannot use")
        }
    }

    /// The bcrypt hash of a password that passed ``check(_:)``.
    public static func hash(_ password: String, cost: UInt8 = defaultCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash`.
    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// ``hash(_:cost:)`` on NIO's thread pool: bcrypt's deliberate work (a quarter second or more) never holds a
    /// thread of the cooperative pool that answers requests.
    static func hashOffLoop(_ password: String, cost: UInt8) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { hash(password, cost: cost) }
    }

    /// ``verify(_:hash:)`` on NIO's thread pool (see ``hashOffLoop(_:cost:)``).
    static func verifyOffLoop(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { verify(password, hash: hash) }
    }

    /// Verifies `password` against ``decoy`` on NIO's thread pool (where the decoy is also made, once): the work of a
    /// wrong password, for an email nobody has.
    static func verifyDecoyOffLoop(_ password: String) async throws {
        _ = try await NIOThreadPool.singleton.runIfActive { verify(password, hash: decoy) }
    }

    /// A hash no password is known for: an unknown email is verified against it, so that it takes as long to answer
    /// as a wrong password.
    static let decoy: String = Bcrypt.hash("herald decoy: no such person", cost: defaultCost)
}
