/// An error from managing the embedded PostgreSQL cluster; its description says what to do.
public struct EmbeddedPostgresError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as a stable code callers can switch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case serverNotFound, noPostgresUser, initFailed, startFailed, stopFailed, notInitialized, corruptState, notAnArchive, archiveFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No `initdb`/`pg_ctl` could be found.
        public static let serverNotFound = Code(.serverNotFound)
        /// Running as root, but there is no `postgres` system user to run the server as.
        public static let noPostgresUser = Code(.noPostgresUser)
        /// `initdb` failed.
        public static let initFailed = Code(.initFailed)
        /// The server did not start.
        public static let startFailed = Code(.startFailed)
        /// The server did not stop.
        public static let stopFailed = Code(.stopFailed)
        /// The cluster has not been created yet.
        public static let notInitialized = Code(.notInitialized)
        /// The cluster's state file is unreadable.
        public static let corruptState = Code(.corruptState)
        /// A file given to restore is not a pg_dump custom-format archive (or is damaged).
        public static let notAnArchive = Code(.notAnArchive)
        /// pg_dump or pg_restore failed.
        public static let archiveFailed = Code(.archiveFailed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// One line saying what went wrong and what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
