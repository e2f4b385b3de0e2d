import Foundation
import HeraldCore
import Logging
import PostgresNIO

extension TrackingDeduplicator {
    /// One hit to decide: its workspace, its hash and when it happened.
    struct Candidate {
        var workspace: WorkspaceID
        var hash: [UInt8]
        var time: Date
    }

    /// The window in seconds.
    var windowSeconds: Double {
        window.seconds
    }

    /// Decides which of a batch of hits count, on `connection` (the caller's transaction, which stores the counted ones:
    /// a decision and its event commit or roll back together, so a batch that fails can simply be stored again).
    ///
    /// The same rule as ``counts(link:workspace:client:userAgent:at:)``, for many hits at once: hits of one client
    /// and link are taken in time order; the first counts unless a counted hit's window still covers it, and each
    /// later one counts when the window of the last counted one has ended. Each round is one statement for every
    /// client and link of the batch (rows taken in hash order, so concurrent batches lock them alike); a second round
    /// is needed only when the batch spans more than a window for one client (a spool replayed after an outage).
    ///
    /// - Returns: For each candidate, whether it counts.
    func decide(_ candidates: [Candidate], on connection: PostgresConnection, logger: Logger) async throws -> [Bool] {
        guard window > .zero else { return Array(repeating: true, count: candidates.count) }
        let seconds = windowSeconds
        struct Key: Hashable, Comparable {
            var workspace: UUID
            var hash: [UInt8]
            static func < (lhs: Key, rhs: Key) -> Bool {
                lhs.workspace != rhs.workspace ? EventRows.precedes(lhs.workspace, rhs.workspace) : lhs.hash.lexicographicallyPrecedes(rhs.hash)
            }
        }
        var groups: [Key: [Int]] = [:]
        for (index, candidate) in candidates.enumerated() {
            groups[Key(workspace: candidate.workspace.uuid, hash: candidate.hash), default: []].append(index)
        }
        for key in groups.keys { groups[key]!.sort { candidates[$0].time < candidates[$1].time } }
        var counts = Array(repeating: false, count: candidates.count)
        // The position in each group of the hit to decide next.
        var next: [Key: Int] = Dictionary(uniqueKeysWithValues: groups.keys.map { ($0, 0) })
        while !next.isEmpty {
            let keys = next.keys.sorted()
            let hex = keys.map { TextEncoding.hex($0.hash) }
            let workspaces = keys.map(\.workspace)
            let times = keys.map { candidates[groups[$0]![next[$0]!]].time.timeIntervalSince1970 }
            let rows = try await connection.query(
                """
                INSERT INTO tracking_hits (workspace_id, hash, expires_at)
                SELECT i.workspace_id, decode(i.hash, 'hex'), to_timestamp(i.at + \(seconds))
                FROM unnest(\(workspaces)::uuid[], \(hex)::text[], \(times)::float8[]) WITH ORDINALITY AS i(workspace_id, hash, at, position)
                ORDER BY i.position
                ON CONFLICT (workspace_id, hash) DO UPDATE SET expires_at = EXCLUDED.expires_at
                WHERE tracking_hits.expires_at <= EXCLUDED.expires_at - \(seconds) * interval '1 second'
                RETURNING workspace_id, encode(hash, 'hex')
                """,
                logger: logger
            )
            var counted = Set<Key>()
            for try await (workspace, hash) in rows.decode((UUID, String).self) {
                counted.insert(Key(workspace: workspace, hash: TextEncoding.bytes(hex: hash) ?? []))
            }
            // Until when each group's last counted hit (this batch's or an earlier one's) covers later hits.
            var covered: [Key: Double] = [:]
            var uncounted: [Key] = []
            for key in keys {
                let position = next[key]!
                let members = groups[key]!
                if counted.contains(key) {
                    counts[members[position]] = true
                    covered[key] = candidates[members[position]].time.timeIntervalSince1970 + seconds
                } else if position + 1 < members.count {
                    uncounted.append(key)
                }
            }
            if !uncounted.isEmpty {
                let stored = try await connection.query(
                    """
                    SELECT h.workspace_id, encode(h.hash, 'hex'), extract(epoch FROM h.expires_at)::float8
                    FROM tracking_hits h
                    JOIN unnest(\(uncounted.map(\.workspace))::uuid[], \(uncounted.map { TextEncoding.hex($0.hash) })::text[])
                         AS u(workspace_id, hash) ON h.workspace_id = u.workspace_id AND h.hash = decode(u.hash, 'hex')
                    """,
                    logger: logger
                )
                for try await (workspace, hash, expires) in stored.decode((UUID, String, Double).self) {
                    covered[Key(workspace: workspace, hash: TextEncoding.bytes(hex: hash) ?? [])] = expires
                }
                // A row pruned meanwhile covers nothing: the next hit is decided in the next round.
                for key in uncounted where covered[key] == nil {
                    covered[key] = candidates[groups[key]![next[key]!]].time.timeIntervalSince1970
                }
            }
            var following: [Key: Int] = [:]
            for key in keys {
                let members = groups[key]!
                guard let until = covered[key] else { continue }
                var position = next[key]! + 1
                // Later hits within the window do not count; the first one after it is decided in the next round.
                while position < members.count && candidates[members[position]].time.timeIntervalSince1970 < until { position += 1 }
                if position < members.count { following[key] = position }
            }
            next = following
        }
        return counts
    }
}
