import Crypto
import Foundation
import HeraldCore
import NIOCore
import PostgresNIO
import Synchronization

/// Decides whether a tracking hit (a click on `GET /r/{code}`, an impression of `GET /p/{code}.gif`) counts: repeated
/// hits of one link from one client within ``window`` count once.
///
/// A client is its address and `User-Agent`, but no address is stored: a hit is known only by
/// HMAC-SHA256(salt of the day, address + User-Agent + link). The salt of each UTC day is 32 random bytes kept in
/// `tracking_salts`; the first hit of a day makes it and deletes the salts of earlier days, so once a day is over
/// nobody can recompute its hashes from an address. The hashes live in `tracking_hits` until their window ends
/// (expired rows are pruned about once a minute per process). Deciding is one atomic
/// `INSERT ... ON CONFLICT ... DO UPDATE ... WHERE expired`: of concurrent identical hits exactly one counts.
///
/// The window runs from the hit that counted (later duplicates do not extend it), and a day's salt changes at
/// midnight UTC, so a hit just after midnight may count again. A window of zero counts every hit and stores nothing.
public struct TrackingDeduplicator: Sendable {
    let database: Database
    /// How long after a counted hit the same client's hits of the same link are not counted.
    public let window: Duration
    private let memory: Memory

    /// Today's salt and the last pruning, remembered by this deduplicator (one per server) to spare queries.
    final class Memory: Sendable {
        struct State {
            var day: String?
            var salt: SymmetricKey?
            var prunedAt: Date?
        }
        let state = Mutex(State())
    }

    /// A deduplicator over `database`; `window` zero (or less) counts every hit.
    public init(_ database: Database, window: Duration) {
        self.database = database
        self.window = window
        self.memory = Memory()
    }

    /// Whether this hit counts: true when no hit of `link` by this client counted within the window before `time`.
    /// When it counts, it is remembered (by its hash only) until the window after `time` has passed.
    ///
    /// - Parameters:
    ///   - link: What was hit, e.g. `click:<publication id>` (a click and an open of one publication are different hits).
    ///   - workspace: The workspace the link belongs to.
    ///   - client: The client's address (never stored).
    ///   - userAgent: The request's `User-Agent` (empty when none; never stored).
    ///   - time: When the hit happened.
    public func counts(link: String, workspace: WorkspaceID, client: String, userAgent: String, at time: Date) async throws -> Bool {
        guard window > .zero else { return true }
        let seconds = window.seconds
        let hash = Self.hash(link: link, client: client, userAgent: userAgent, salt: try await salt(at: time))
        try await pruneIfDue(at: time)
        let expires = time.addingTimeInterval(seconds)
        let rows = try await database.client.query(
            """
            INSERT INTO tracking_hits (workspace_id, hash, expires_at) VALUES (\(workspace.uuid), \(ByteBuffer(bytes: hash)), \(expires))
            ON CONFLICT (workspace_id, hash) DO UPDATE SET expires_at = EXCLUDED.expires_at
            WHERE tracking_hits.expires_at <= \(time)
            RETURNING 1
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// Forgets a hit that counted but could not be recorded, so the client's next hit counts instead of being lost.
    ///
    /// - Parameters: As given to ``counts(link:workspace:client:userAgent:at:)`` for that hit.
    public func forget(link: String, workspace: WorkspaceID, client: String, userAgent: String, at time: Date) async throws {
        guard window > .zero else { return }
        let hash = Self.hash(link: link, client: client, userAgent: userAgent, salt: try await salt(at: time))
        try await database.client.query(
            "DELETE FROM tracking_hits WHERE workspace_id = \(workspace.uuid) AND hash = \(ByteBuffer(bytes: hash))",
            logger: database.logger
        )
    }

    /// How a hit's client is kept until the hit is stored: its hash when the salt of `time`'s day is known already (no
    /// query: the answer to the hit never waits on the database), else its address and `User-Agent`, hashed when the
    /// hit is stored. Nothing is needed when the window is zero.
    ///
    /// - Parameters: As given to ``counts(link:workspace:client:userAgent:at:)``.
    public func client(link: String, client: String, userAgent: String, at time: Date) -> TrackingHit.Client {
        guard window > .zero else { return .unknown }
        let day = Self.day(of: time)
        guard let salt = memory.state.withLock({ $0.day == day ? $0.salt : nil }) else {
            return .plain(address: client, userAgent: userAgent)
        }
        return .salted(day: day, hash: Self.hash(link: link, client: client, userAgent: userAgent, salt: salt))
    }

    /// The hash a hit is deduplicated by (made with its day's salt when the hit kept its client's address); nil for a
    /// hit answered while deduplication was off, which counts.
    func hash(of hit: TrackingHit) async throws -> [UInt8]? {
        switch hit.client {
        case .salted(_, let hash): return hash
        case .plain(let address, let userAgent):
            return Self.hash(link: hit.link, client: address, userAgent: userAgent, salt: try await salt(at: hit.occurredAt))
        case .unknown: return nil
        }
    }

    /// HMAC-SHA256 under the day's salt of the client's address, User-Agent and the link (separated by NUL bytes,
    /// which none of them can hold).
    static func hash(link: String, client: String, userAgent: String, salt: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("\(client)\u{0}\(userAgent)\u{0}\(link)".utf8), using: salt))
    }

    /// The salt of `time`'s UTC day, made (and earlier days' deleted) by the first hit of the day.
    func salt(at time: Date) async throws -> SymmetricKey {
        let day = Self.day(of: time)
        if let known = memory.state.withLock({ $0.day == day ? $0.salt : nil }) { return known }
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        // The no-op update returns the stored salt when another process made the day's first: everyone gets the same.
        let rows = try await database.client.query(
            """
            INSERT INTO tracking_salts (day, salt) VALUES (\(day)::date, \(ByteBuffer(bytes: fresh)))
            ON CONFLICT (day) DO UPDATE SET salt = tracking_salts.salt
            RETURNING salt
            """,
            logger: database.logger
        )
        var stored: [UInt8]?
        for try await salt in rows.decode(ByteBuffer.self) { stored = Array(salt.readableBytesView) }
        guard let stored else { throw StorageError("no tracking salt for \(day)") }
        try await database.client.query("DELETE FROM tracking_salts WHERE day < \(day)::date", logger: database.logger)
        let key = SymmetricKey(data: stored)
        memory.state.withLock {
            $0.day = day
            $0.salt = key
        }
        return key
    }

    /// Deletes expired hits, at most about once a minute per deduplicator.
    func pruneIfDue(at time: Date) async throws {
        let due = memory.state.withLock { state in
            guard state.prunedAt.map({ time.timeIntervalSince($0) >= 60 || time < $0 }) ?? true else { return false }
            state.prunedAt = time
            return true
        }
        guard due else { return }
        try await database.client.query("DELETE FROM tracking_hits WHERE expires_at <= \(time)", logger: database.logger)
    }

    /// `yyyy-MM-dd` of `time` in UTC.
    static func day(of time: Date) -> String {
        // Arithmetic on the day number, not Calendar and String(format:), which cost a tracking server several per
        // cent of its time.
        let (year, month, day) = CivilDay(index: Int((time.timeIntervalSince1970 / 86_400).rounded(.down))).components
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }
}
