import Foundation
import HeraldCore
import Logging
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What each tracking code points at, remembered so that a click is answered without a query, and while the database
/// is unreachable.
///
/// A code looked up within ``freshness`` is answered from memory; an older one is looked up again, but if the database
/// does not answer within ``patience`` (down, restarting, overloaded) the remembered target answers: a link that
/// worked keeps redirecting through an outage. Unknown codes are remembered for a few seconds too (guessing does not
/// cost a query each). The known links are saved to a file in the spool folder (``save()``, by the flusher), and read
/// back at start, so a server restarted during an outage still redirects the links it served before.
public final class TrackingLinkCache: Sendable {
    struct Entry {
        var target: TrackingTarget?
        var fetched: ContinuousClock.Instant
        /// Where the target's clicks redirect (``TrackingLink/destination(_:channel:campaign:variant:)``), made once
        /// when the target is remembered rather than on every click.
        var location: String?

        init(target: TrackingTarget?, fetched: ContinuousClock.Instant) {
            self.target = target
            self.fetched = fetched
            self.location = target.flatMap(Self.location(of:))
        }

        /// The campaign's destination with the link's UTM parameters; nil without a usable destination.
        static func location(of target: TrackingTarget) -> String? {
            target.destination.flatMap {
                TrackingLink.destination($0, channel: target.channel, campaign: target.campaignSlug, variant: target.variantKey)
            }
        }
    }

    /// A known link: its target and where its clicks redirect (nil: the campaign has no usable destination).
    public struct Link: Sendable {
        public var target: TrackingTarget
        public var location: String?
    }

    struct State {
        var entries: [String: Entry] = [:]
        var changed = false
        /// The newest publication loaded ahead (``preload()``), nil before the first load.
        var loadedUpTo: Date?
    }

    let database: Database
    let state = Mutex(State())
    /// Where the known links are saved, nil for nowhere.
    let file: String?
    let logger: Logger
    /// How long a looked-up target is answered without asking the database again.
    public let freshness: Duration
    /// How long a click waits for the database before a remembered target answers.
    public let patience: Duration
    /// At most this many codes are remembered (the oldest half is forgotten beyond it).
    static let capacity = 200_000

    /// A cache over `database`, saving its links to `file` (and reading them from it now) when given.
    public init(
        database: Database,
        file: String?,
        freshness: Duration = .seconds(30),
        patience: Duration = .milliseconds(300),
        logger: Logger
    ) {
        self.database = database
        self.file = file
        self.freshness = freshness
        self.patience = patience
        self.logger = logger
        if let file, let data = FileManager.default.contents(atPath: file),
            let saved = try? JSONDecoder().decode([String: SavedTarget].self, from: data)
        {
            // Saved links are stale: they answer only when the database does not.
            let old = ContinuousClock.now - freshness - .seconds(1)
            state.withLock { state in
                for (code, target) in saved { state.entries[code] = Entry(target: target.target, fetched: old) }
            }
        }
    }

    /// The target of `code`, nil when there is none.
    ///
    /// - Throws: ``DatabaseUnavailable`` when the database does not answer in time and the code is not remembered.
    public func target(code: String) async throws -> TrackingTarget? {
        try await link(code: code)?.target
    }

    /// The link of `code` with its redirect location, nil when there is none.
    ///
    /// - Throws: ``DatabaseUnavailable`` when the database does not answer in time and the code is not remembered.
    public func link(code: String) async throws -> Link? {
        let now = ContinuousClock.now
        let known = state.withLock { $0.entries[code] }
        if let known, now - known.fetched < (known.target == nil ? .seconds(5) : freshness) { return Self.link(of: known) }
        let lookup = Lookup()
        let database = self.database
        let task = Task {
            // A recipient token names its message (its signature is checked by the route, under its workspace's key).
            if RecipientToken.hasTokenShape(code) {
                guard let message = RecipientToken.message(in: code) else { return TrackingTarget?.none }
                return try await MessageStore(database).trackingTarget(message: message)
            }
            return try await PublicationStore(database).tracking(code: code)
        }
        // Waits for the lookup, or for the patience to run out when a remembered answer exists.
        let outcome: Result<TrackingTarget?, any Error>? = await lookup.wait(for: task, timeout: known == nil ? nil : patience)
        switch outcome {
        case .success(let target)?:
            return Self.link(of: remember(code: code, target: target))
        case .failure(let error)?:
            if let known, DatabaseUnavailable.classify(error) != nil { return Self.link(of: known) }
            throw error
        case nil:
            return known.flatMap(Self.link(of:))
        }
    }

    static func link(of entry: Entry) -> Link? {
        entry.target.map { Link(target: $0, location: entry.location) }
    }

    /// How far back the first ``preload()`` reaches.
    static let preloadWindow: TimeInterval = 30 * 86_400

    /// Loads the links of publications made since the last call (the first call: of the last 30 days, newest kept up
    /// to the capacity), so that a link never clicked on this server still redirects when the database is down.
    /// Called at start and every few seconds by the flusher; publications made within the last few seconds are read
    /// again next time, in case an older transaction commits after a newer one.
    public func preload(now: Date = Date()) async throws {
        let start = state.withLock { $0.loadedUpTo } ?? now.addingTimeInterval(-Self.preloadWindow)
        let store = PublicationStore(database)
        var since = start
        while true {
            let batch = try await store.trackingTargets(createdAfter: since, limit: 10_000)
            guard let last = batch.last else { break }
            let fetched = ContinuousClock.now
            state.withLock { state in
                for (code, target, _) in batch where state.entries[code]?.target != target {
                    state.entries[code] = Entry(target: target, fetched: fetched)
                    state.changed = true
                }
            }
            since = last.createdAt
            if batch.count < 10_000 { break }
        }
        let overlap = now.addingTimeInterval(-5)
        state.withLock { state in
            state.loadedUpTo = min(max(since, start), overlap)
            if state.entries.count > Self.capacity {
                let oldest = state.entries.sorted { $0.value.fetched < $1.value.fetched }.prefix(state.entries.count - Self.capacity).map(\.key)
                for code in oldest { state.entries.removeValue(forKey: code) }
            }
        }
    }

    /// Stores a lookup's answer.
    @discardableResult
    func remember(code: String, target: TrackingTarget?) -> Entry {
        let entry = Entry(target: target, fetched: .now)
        return state.withLock { state in
            if state.entries.count >= Self.capacity {
                let oldest = state.entries.sorted { $0.value.fetched < $1.value.fetched }.prefix(Self.capacity / 2).map(\.key)
                for code in oldest { state.entries.removeValue(forKey: code) }
            }
            if target != nil && state.entries[code]?.target != target { state.changed = true }
            state.entries[code] = entry
            return entry
        }
    }

    /// Saves the known links to the file if they changed since the last save.
    func save() {
        guard let file else { return }
        let saved: [String: SavedTarget]? = state.withLock { state in
            guard state.changed else { return nil }
            state.changed = false
            return state.entries.compactMapValues { $0.target.map(SavedTarget.init) }
        }
        guard let saved else { return }
        do {
            let data = try JSONEncoder().encode(saved)
            let temporary = file + ".tmp"
            try data.write(to: URL(fileURLWithPath: temporary))
            // rename(2) replaces the old file atomically: a reader sees the old links or the new ones.
            guard rename(temporary, file) == 0 else { throw TrackingSpool.SpoolError("cannot replace \(file) (errno \(errno))") }
        } catch {
            logger.warning("could not save the known tracking links", metadata: ["herald.error": "\(error)"])
        }
    }

    /// Waits for a task's result with an optional time limit; the task goes on alone when the limit passes first.
    final class Lookup: Sendable {
        let continuation = Mutex<CheckedContinuation<Result<TrackingTarget?, any Error>?, Never>?>(nil)

        func wait(for task: Task<TrackingTarget?, any Error>, timeout: Duration?) async -> Result<TrackingTarget?, any Error>? {
            guard let timeout else { return await task.result }
            return await withCheckedContinuation { continuation in
                self.continuation.withLock { $0 = continuation }
                Task {
                    let result = await task.result
                    self.resume(with: result)
                }
                Task {
                    try? await Task.sleep(for: timeout)
                    self.resume(with: nil)
                }
            }
        }

        private func resume(with result: Result<TrackingTarget?, any Error>?) {
            continuation.withLock { waiting in
                waiting?.resume(returning: result)
                waiting = nil
            }
        }
    }

    /// A target as saved in the links file.
    struct SavedTarget: Codable {
        var publication: UUID?
        var workspace: UUID
        var campaign: UUID
        var campaignSlug: String
        var variant: UUID
        var variantKey: String
        var channel: String
        var destination: String?
        var message: UUID?
        var sentAt: Date?

        init(_ target: TrackingTarget) {
            message = target.message
            sentAt = target.sentAt
            publication = target.publication
            workspace = target.workspace.uuid
            campaign = target.campaign.uuid
            campaignSlug = target.campaignSlug
            variant = target.variant.uuid
            variantKey = target.variantKey
            channel = target.channel
            destination = target.destination
        }

        var target: TrackingTarget {
            TrackingTarget(
                publication: publication,
                workspace: WorkspaceID(workspace),
                campaign: CampaignID(campaign),
                campaignSlug: campaignSlug,
                variant: VariantID(variant),
                variantKey: variantKey,
                channel: channel,
                destination: destination,
                message: message,
                sentAt: sentAt
            )
        }
    }
}
