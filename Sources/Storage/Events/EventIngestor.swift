import Foundation
import HeraldCore

/// The one way engagement enters Herald, whatever the path: read → look up the referenced variants →
/// check → store.
///
/// `POST /v1/events` hands it a JSON body (``ingest(json:maximumRows:now:)``), `herald import events` a CSV
/// file (``ingest(csv:source:now:checking:sending:)``), the tracking routes one hit
/// (``record(_:kind:at:isBot:)``), and code that builds events itself (simulations, metrics pulled back
/// from platforms) the events (``ingest(_:)``). Every path stores through ``EventStore``: atomically, each
/// event once by its id, rolled up in the same transaction.
public struct EventIngestor: Sendable {
    let store: EventStore

    /// An ingestor for one workspace: events may only name that workspace's variants.
    public init(_ database: Database, workspace: WorkspaceID) {
        store = EventStore(database, workspace: workspace)
    }

    /// A body that is not a batch of events at all (empty, not JSON, not UTF-8): a bad request, not bad rows.
    public struct UnreadableBody: Error, CustomStringConvertible {
        /// What is wrong with it, e.g. "is not valid UTF-8".
        public var reason: String
        public var description: String { "the request body \(reason)" }
    }

    /// A batch refused whole because some of its rows are bad; nothing was written.
    public struct RejectedBatch: Error, CustomStringConvertible {
        /// Every bad row, named by its place (`row 31: kind: …`).
        public var errors: ValidationErrors
        /// How many rows the batch had.
        public var rows: Int
        public var description: String { errors.description }
    }

    /// Stores a JSON array or NDJSON of events, all or none, answering once committed.
    ///
    /// A row may name its publication (`publication_id`): it must be a publication of this workspace and of the row's
    /// variant, and the event then records the publication's channel.
    ///
    /// - Throws: ``UnreadableBody``; `EventJSON.TooManyRows` past `maximumRows`; ``RejectedBatch`` naming
    ///   every bad row (a malformed field, a time out of bounds, a variant not of this workspace, a publication
    ///   not of this workspace or of another variant).
    public func ingest(json bytes: [UInt8], maximumRows: Int, now: Date) async throws -> IngestResult {
        let rows: [EventJSON.Row]
        do {
            rows = try EventJSON.rows(from: bytes, maximumRows: maximumRows)
        } catch let errors as ValidationErrors {
            throw UnreadableBody(reason: errors.errors.first?.reason ?? "is not readable")
        }
        let variants = EventJSON.variantIDs(in: rows)
        let campaigns = try await store.campaigns(among: variants)
        let publicationIDs = EventJSON.publicationIDs(in: rows)
        let publications = publicationIDs.isEmpty ? .none : try await store.publications(among: publicationIDs, variants: variants)
        let events: [EngagementEvent]
        do {
            events = try EventJSON.events(
                rows,
                policy: EventAcceptancePolicy(now: now),
                isKnownVariant: { campaigns[$0] != nil },
                publications: publications
            )
        } catch {
            throw RejectedBatch(errors: error, rows: rows.count)
        }
        return try await store.store(events, campaigns: campaigns)
    }

    /// Stores an events CSV, all rows or none, reading and checking it a chunk at a time while the checked
    /// rows already travel to the database (see ``EventStore/store(chunks:campaigns:progress:)``).
    ///
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - source: The file's name, for errors (`events.csv:17: kind: …`).
    ///   - now: The current time, which bounds `occurred_at`.
    ///   - checking: Called with the fraction of the file read and checked.
    ///   - sending: Called with the fraction of events sent once the file has been read.
    /// - Throws: ``ValidationErrors`` naming bad rows by line; nothing is written then.
    public func ingest(
        csv bytes: [UInt8],
        source: String,
        now: Date,
        checking: @escaping (Double) -> Void = { _ in },
        sending: @Sendable @escaping (Double) -> Void = { _ in }
    ) async throws -> IngestResult {
        // A large file may rightly take longer than the statement timeout that protects everything else.
        let store = EventStore(self.store.database.allowingLongStatements(), workspace: self.store.workspace)
        // The file's variants are known only as it is read, and the reader checks each row as it reads it:
        // so the lookup takes every variant of the workspace, once.
        let campaigns = try await store.campaigns(among: nil)
        let policy = EventAcceptancePolicy(now: now)
        // Publications are looked up (all of the workspace's, once) only for a file with a publication_id column.
        let namesPublications = try EventCSV.Reader(bytes: bytes, source: source, policy: policy, isKnownVariant: { _ in false }).namesPublications
        let publications = namesPublications ? try await store.publications(among: nil, variants: nil) : .none
        var reader = try EventCSV.Reader(
            bytes: bytes,
            source: source,
            policy: policy,
            isKnownVariant: { campaigns[$0] != nil },
            publications: publications
        )
        return try await store.store(
            chunks: {
                let chunk = try reader.next(upTo: 8_192)
                checking(reader.progress)
                return chunk
            },
            campaigns: campaigns,
            progress: sending
        )
    }

    /// Stores events built by Herald itself (simulated audiences, metrics pulled back from platforms), all or none.
    ///
    /// An event that names a publication takes its channel from it.
    ///
    /// - Throws: ``ValidationError`` on `variant_id` for a variant that is not (or no longer) this workspace's, on
    ///   `publication_id` for a publication not of this workspace or not of the event's variant.
    public func ingest(_ events: [EngagementEvent]) async throws -> IngestResult {
        let variants = Set(events.map(\.variantID))
        let campaigns = try await store.campaigns(among: variants)
        if let missing = variants.first(where: { campaigns[$0] == nil }) {
            throw ValidationError(field: "variant_id", reason: "\(missing) is not a variant of this workspace")
        }
        var events = events
        let publicationIDs = Set(events.compactMap(\.publicationID))
        if !publicationIDs.isEmpty {
            let publications = try await store.publications(among: publicationIDs, variants: variants)
            for index in events.indices {
                guard let publication = events[index].publicationID else { continue }
                events[index].channel = try publications.check(publication.uuidString, variant: events[index].variantID).channel
            }
        }
        return try await store.store(events, campaigns: campaigns)
    }

    /// Records one engagement from a tracking link or pixel, committed when this returns.
    ///
    /// The event records the link's publication and channel. A bot's hit is stored with `is_bot` for audit and left
    /// out of the rollups that analysis reads.
    public func record(_ target: TrackingTarget, kind: EventKind, at time: Date, isBot: Bool) async throws {
        let event = EngagementEvent(
            id: EventID(UUID()),
            variantID: target.variant,
            kind: kind,
            occurredAt: time,
            publicationID: target.publication,
            channel: target.channel
        )
        _ = try await store.store([event], campaigns: [target.variant: target.campaign], isBot: isBot)
    }
}
