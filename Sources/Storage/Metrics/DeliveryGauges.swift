import Connectors
import Foundation
import HeraldCore
import PostgresNIO

/// Publications by connector and state, and accounts by kind and health, counted in the database at each scrape, so
/// every process that serves `/metrics` reports the same numbers.
public struct DeliveryGauges: Sendable {
    let database: Database

    public init(_ database: Database) {
        self.database = database
    }

    /// One labelled count.
    public struct Count: Sendable, Equatable {
        public var labels: [String]
        public var value: Int
    }

    /// The connector label of a publication: its account's kind, `dry_run` for a dry-run campaign's, `none` when it has
    /// no account (e.g. it failed for want of one).
    public static let connectors = AccountKind.allCases.map(\.rawValue) + ["dry_run", "none"]

    /// The health states of an account.
    public static let healths = ["ok", "rate_limited", "needs_reconnect"]

    /// Publications of every workspace by connector and state (labels `[connector, state]`); every pair of
    /// ``connectors`` and ``PublicationState`` is present, zero when none, so a count that falls to nothing shows 0.
    public func publications() async throws -> [Count] {
        let rows = try await database.client.query(
            """
            SELECT coalesce(a.kind, CASE WHEN c.dry_run OR p.status = 'dry_run' THEN 'dry_run' ELSE 'none' END), p.status, count(*)::int
            FROM publications p
            JOIN campaigns c ON c.id = p.campaign_id
            LEFT JOIN accounts a ON a.id = p.account_id
            GROUP BY 1, 2
            """,
            logger: database.logger
        )
        var counts: [String: [String: Int]] = [:]
        for try await (connector, state, count) in rows.decode((String, String, Int).self) { counts[connector, default: [:]][state] = count }
        return Self.filled(counts, first: Self.connectors, second: PublicationState.allCases.map(\.rawValue))
    }

    /// Accounts of every workspace by kind and health (labels `[kind, health]`), every pair present.
    public func accounts() async throws -> [Count] {
        let rows = try await database.client.query("SELECT kind, health, count(*)::int FROM accounts GROUP BY 1, 2", logger: database.logger)
        var counts: [String: [String: Int]] = [:]
        for try await (kind, health, count) in rows.decode((String, String, Int).self) { counts[kind, default: [:]][health] = count }
        return Self.filled(counts, first: AccountKind.allCases.map(\.rawValue), second: Self.healths)
    }

    /// Every pair of `first` and `second` (and any other pair counted), in that order.
    static func filled(_ counts: [String: [String: Int]], first: [String], second: [String]) -> [Count] {
        var result: [Count] = []
        let firsts = first + counts.keys.filter { !first.contains($0) }.sorted()
        for a in firsts {
            let seconds = second + (counts[a]?.keys.filter { !second.contains($0) }.sorted() ?? [])
            for b in seconds { result.append(Count(labels: [a, b], value: counts[a]?[b] ?? 0)) }
        }
        return result
    }
}
