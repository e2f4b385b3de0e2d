import EmbeddedPostgres
import HeraldCore
import Storage

/// An error whose text is written for the person at the terminal: `herald` prints each line as
/// `herald: <line>` on standard error and exits with ``exitStatus``, with no stack or type name.
protocol UserFacingError: Error {
    /// The message's lines.
    var userMessageLines: [String] { get }
    /// The process's exit status.
    var exitStatus: Int32 { get }
}

extension UserFacingError {
    var exitStatus: Int32 { 1 }
}

extension UserFacingError where Self: CustomStringConvertible {
    /// The description, as one line.
    var userMessageLines: [String] { [description] }
}

// The errors Herald's modules throw with a message for the user; anything else is argument-parser's to report.
extension ValidationError: UserFacingError {}
extension NotFoundError: UserFacingError {}
extension ConflictError: UserFacingError {}
extension ForbiddenError: UserFacingError {}
extension StorageError: UserFacingError {}
extension EmbeddedPostgresError: UserFacingError {}

extension ValidationErrors: UserFacingError {
    /// One line per error (and the count of those left out).
    var userMessageLines: [String] { description.split(separator: "\n").map(String.init) }
}

extension CommandFailure: UserFacingError {
    var userMessageLines: [String] { [message] }
    var exitStatus: Int32 { status }
}
extension SecretError: UserFacingError {}
