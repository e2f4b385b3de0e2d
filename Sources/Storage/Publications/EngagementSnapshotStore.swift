import Foundation
import HeraldCore
import PostgresNIO

/// The engagement counts pulled back from the platforms, per publication, within one workspace.
///
/// Each snapshot keeps the counts as the platform gave them (decreases included) and the totals the publication's
/// events stood for once it was counted (``EngagementTotals``, running maxima): the next collection only adds events
/// above those.
public struct EngagementSnapshotStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// Stores a snapshot with the totals its publication's events stand for after it.
    ///
    /// - Returns: Whether it was new (a snapshot of the same publication taken at the same instant is kept once).
    @discardableResult
    public func record(_ snapshot: EngagementSnapshot, counted: EngagementTotals) async throws -> Bool {
        let rows = try await database.client.query(
            """
            INSERT INTO engagement_snapshots (publication_id, workspace_id, taken_at, round, likes, shares, comments, impressions, followers,
                                              counted_likes, counted_shares, counted_comments, counted_exposure)
            SELECT p.id, p.workspace_id, \(snapshot.takenAt), \(snapshot.round), \(max(0, snapshot.likes)), \(max(0, snapshot.shares)),
                   \(max(0, snapshot.comments)), \(snapshot.impressions.map { max(0, $0) }), \(snapshot.followers.map { max(0, $0) }),
                   \(counted.likes), \(counted.shares), \(counted.comments), \(counted.exposure)
            FROM publications p WHERE p.id = \(snapshot.publication) AND p.workspace_id = \(workspace.uuid)
            ON CONFLICT (publication_id, taken_at) DO NOTHING
            RETURNING 1
            """,
            logger: database.logger
        )
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// A publication's snapshots, oldest first.
    public func snapshots(of publication: UUID) async throws -> [EngagementSnapshot] {
        let rows = try await database.client.query(
            """
            SELECT publication_id, taken_at, round, likes, shares, comments, impressions, followers
            FROM engagement_snapshots
            WHERE publication_id = \(publication) AND workspace_id = \(workspace.uuid)
            ORDER BY taken_at
            """,
            logger: database.logger
        )
        var snapshots: [EngagementSnapshot] = []
        for try await row in rows.decode((UUID, Date, Int, Int, Int, Int, Int?, Int?).self) {
            snapshots.append(
                EngagementSnapshot(
                    publication: row.0,
                    takenAt: row.1,
                    round: row.2,
                    likes: row.3,
                    shares: row.4,
                    comments: row.5,
                    impressions: row.6,
                    followers: row.7
                )
            )
        }
        return snapshots
    }

    /// A publication's most recent snapshot, if any.
    public func latest(of publication: UUID) async throws -> EngagementSnapshot? {
        try await snapshots(of: publication).last
    }

    /// The highest count of each kind any of a publication's snapshots showed (impressions nil when none had any);
    /// nil before the first snapshot. Its `takenAt` and `round` are the latest snapshot's.
    public func highest(of publication: UUID) async throws -> EngagementSnapshot? {
        let rows = try await database.client.query(
            """
            SELECT max(taken_at), max(round), max(likes), max(shares), max(comments), max(impressions), max(followers)
            FROM engagement_snapshots
            WHERE publication_id = \(publication) AND workspace_id = \(workspace.uuid)
            HAVING count(*) > 0
            """,
            logger: database.logger
        )
        for try await row in rows.decode((Date, Int, Int, Int, Int, Int?, Int?).self) {
            return EngagementSnapshot(
                publication: publication,
                takenAt: row.0,
                round: row.1,
                likes: row.2,
                shares: row.3,
                comments: row.4,
                impressions: row.5,
                followers: row.6
            )
        }
        return nil
    }

    /// What a publication's events stand for so far: the highest totals counted by its snapshots (zero before any).
    public func counted(of publication: UUID) async throws -> EngagementTotals {
        let rows = try await database.client.query(
            """
            SELECT coalesce(max(counted_likes), 0), coalesce(max(counted_shares), 0), coalesce(max(counted_comments), 0),
                   coalesce(max(counted_exposure), 0)
            FROM engagement_snapshots
            WHERE publication_id = \(publication) AND workspace_id = \(workspace.uuid)
            """,
            logger: database.logger
        )
        for try await (likes, shares, comments, exposure) in rows.decode((Int, Int, Int, Int).self) {
            return EngagementTotals(likes: likes, shares: shares, comments: comments, exposure: exposure)
        }
        return .zero
    }
}
