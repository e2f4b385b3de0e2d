import Foundation
import Logging
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Answered tracking hits on their way to the database: each is appended to this process's spool file (before the
/// redirect or pixel is answered) and kept in memory until a flusher has stored it.
///
/// A spool file lives in the spool folder (`$HERALD_HOME/spool/`), one per process at a time (`<pid>-<random>.spool`),
/// locked with `flock` while its process lives. An append is a `write(2)` to the file: a process killed with SIGKILL
/// right after answering has its hit in the file already (the kernel keeps it), and a later process (a restart, or
/// another server on the same folder) that can lock the file knows its owner is gone and replays it
/// (``adoptOrphans()``). The flusher `fsync`s the file before each batch it stores (grouped), so a power loss loses at
/// most the hits answered since. A file is deleted once every hit in it is stored; a file grows to about 4 MiB, then
/// appends go to a new one.
///
/// Without a folder (in-process tests of the router) hits are only kept in memory.
public final class TrackingSpool: Sendable {
    /// One spool file: its descriptor (open and locked) and how many of its hits are not stored yet.
    struct File {
        var descriptor: Int32
        var path: String
        var size: Int
        var unstored: Int
        /// Whether appends go elsewhere now (rotated, or a dead process's file being replayed).
        var sealed: Bool
    }

    /// A hit in memory and the file that holds it (nil without a folder).
    struct Pending {
        var hit: TrackingHit
        var file: Int?
    }

    struct State {
        var files: [Int: File] = [:]
        var current: Int?
        var nextFile = 0
        /// Hits waiting, from ``head`` on (the taken ones before it are dropped now and then, not at each take: a
        /// backlog of a long outage drains in linear time).
        var pending: [Pending] = []
        var head = 0
        var waiting: Int { pending.count - head }

        /// Puts hits back at the front of the line.
        mutating func putFront(_ hits: [Pending]) {
            if head >= hits.count {
                head -= hits.count
                pending.replaceSubrange(head..<(head + hits.count), with: hits)
            } else {
                pending.insert(contentsOf: hits, at: head)
            }
        }
        /// Hits handed to the flusher and not yet stored or given back.
        var inFlight = 0
        var appended = 0
        var failedWrites = 0
        /// The flusher, waiting for hits.
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// The folder of spool files, nil to keep hits only in memory.
    public let directory: String?
    let logger: Logger
    let state = Mutex(State())
    /// A file grows to about this size before appends go to a new one.
    static let rotationBytes = 4 << 20

    /// A spool in `directory` (created if missing), or in memory only when nil.
    public init(directory: String?, logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Appends an answered hit: written to the spool file before this returns (then the answer may go out).
    ///
    /// A file that cannot be written (disk full) does not stop the answer: the hit is kept in memory, logged and counted
    /// (``failedWrites``), so only a crash before it is stored could lose it.
    public func append(_ hit: TrackingHit) {
        let line = directory == nil ? [] : hit.spoolLine
        let failure: String? = state.withLock { state in
            state.appended += 1
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume()
            }
            guard directory != nil else {
                state.pending.append(Pending(hit: hit, file: nil))
                return nil
            }
            do {
                let index = try currentFile(&state)
                try Self.write(line, to: state.files[index]!.descriptor)
                state.files[index]!.size += line.count
                state.files[index]!.unstored += 1
                state.pending.append(Pending(hit: hit, file: index))
                return nil
            } catch {
                state.failedWrites += 1
                state.pending.append(Pending(hit: hit, file: nil))
                return "\(error)"
            }
        }
        if let failure {
            logger.error("could not write a tracking hit to the spool; it is kept in memory only", metadata: ["herald.error": "\(failure)"])
        }
    }

    /// Up to `limit` hits to store, oldest first; each must come back through ``stored(_:)`` or ``giveBack(_:)``.
    func take(upTo limit: Int) -> [Pending] {
        state.withLock { state in
            let end = min(state.head + limit, state.pending.count)
            let batch = Array(state.pending[state.head..<end])
            state.head = end
            if state.head >= 4_096 && state.head * 2 >= state.pending.count {
                state.pending.removeFirst(state.head)
                state.head = 0
            }
            state.inFlight += batch.count
            return batch
        }
    }

    /// Hits that could not be stored yet, back at the front of the line.
    func giveBack(_ batch: [Pending]) {
        state.withLock { state in
            state.putFront(batch)
            state.inFlight -= batch.count
        }
    }

    /// Hits stored (or skipped for good): a file none of whose hits waits any more is closed and deleted, unless it is
    /// the one appends go to.
    func stored(_ batch: [Pending]) {
        let finished: [File] = state.withLock { state in
            state.inFlight -= batch.count
            var finished: [File] = []
            for pending in batch {
                guard let index = pending.file, state.files[index] != nil else { continue }
                state.files[index]!.unstored -= 1
                if state.files[index]!.unstored == 0 && state.files[index]!.sealed {
                    finished.append(state.files.removeValue(forKey: index)!)
                }
            }
            return finished
        }
        for file in finished {
            // Deleted before it is unlocked: nobody replays a file whose hits are all stored.
            unlink(file.path)
            close(file.descriptor)
        }
    }

    /// Whether no hit waits: nothing in memory and nothing handed to the flusher.
    public var isSettled: Bool { state.withLock { $0.waiting == 0 && $0.inFlight == 0 } }

    /// Hits waiting to be stored.
    public var waiting: Int { state.withLock { $0.waiting + $0.inFlight } }

    /// Hits appended since the spool was made.
    public var appended: Int { state.withLock { $0.appended } }

    /// Appends that could not be written to a file.
    public var failedWrites: Int { state.withLock { $0.failedWrites } }

    /// Makes the appended hits durable against a power loss (`fsync` of the file appends go to).
    func synchronize() {
        guard let descriptor = state.withLock({ state in state.current.flatMap { state.files[$0]?.descriptor } }) else { return }
        // Only the flusher closes files (``stored(_:)``, ``shutDown()``), so the descriptor stays valid meanwhile.
        fsync(descriptor)
    }

    /// Replays the spool files of processes that are gone: each file that can be locked is read, its hits wait with
    /// this process's, and it is deleted once they are stored. Files of living processes (locked) are left alone.
    ///
    /// - Returns: How many hits were adopted.
    @discardableResult
    func adoptOrphans() -> Int {
        guard let directory else { return 0 }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let own = Set(state.withLock { $0.files.values.map(\.path) })
        var adopted = 0
        for name in names.sorted() where name.hasSuffix(".spool") {
            let path = directory + "/" + name
            guard !own.contains(path) else { continue }
            let descriptor = open(path, O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                continue
            }
            // Locked: its owner is gone (or finished with it). It may have been deleted by the owner just before.
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_nlink > 0 else {
                close(descriptor)
                continue
            }
            let (hits, skipped) = Self.read(descriptor: descriptor)
            if skipped > 0 {
                logger.warning(
                    "skipped unreadable lines in a tracking spool file",
                    metadata: ["herald.spool.file": "\(path)", "herald.lines": "\(skipped)"]
                )
            }
            if hits.isEmpty {
                unlink(path)
                close(descriptor)
                continue
            }
            state.withLock { state in
                let index = state.nextFile
                state.nextFile += 1
                state.files[index] = File(descriptor: descriptor, path: path, size: 0, unstored: hits.count, sealed: true)
                state.putFront(hits.map { Pending(hit: $0, file: index) })
            }
            logger.info(
                "replaying a tracking spool left by a stopped process",
                metadata: ["herald.spool.file": "\(path)", "herald.hits": "\(hits.count)"]
            )
            adopted += hits.count
        }
        return adopted
    }

    /// Closes every file without deleting those that still hold unstored hits: another process (or a later spool in
    /// this one) replays them.
    func shutDown() {
        let files = state.withLock { state in
            defer {
                state.files.removeAll()
                state.current = nil
            }
            return Array(state.files.values)
        }
        for file in files {
            if file.unstored == 0 { unlink(file.path) } else { fsync(file.descriptor) }
            close(file.descriptor)
        }
        wake()
    }

    /// Returns when hits wait, or after `limit` at most.
    func waitForHits(atMost limit: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waits = state.withLock { state -> Bool in
                guard state.waiting == 0 else { return false }
                state.waiter?.resume()
                state.waiter = continuation
                return true
            }
            guard waits else { return continuation.resume() }
            Task {
                try? await Task.sleep(for: limit)
                self.wake()
            }
        }
    }

    /// Wakes the flusher if it waits.
    func wake() {
        state.withLock { state in
            state.waiter?.resume()
            state.waiter = nil
        }
    }

    /// The file appends go to, opened (and locked) when there is none or the current one is full.
    private func currentFile(_ state: inout State) throws -> Int {
        if let index = state.current, let file = state.files[index], file.size < Self.rotationBytes { return index }
        if let index = state.current {
            state.files[index]!.sealed = true
            if state.files[index]!.unstored == 0 {
                let file = state.files.removeValue(forKey: index)!
                unlink(file.path)
                close(file.descriptor)
            }
            state.current = nil
        }
        let path = "\(directory!)/\(getpid())-\(UUID().uuidString.prefix(8).lowercased()).spool"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError("cannot create \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw SpoolError("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        let index = state.nextFile
        state.nextFile += 1
        state.files[index] = File(descriptor: descriptor, path: path, size: 0, unstored: 0, sealed: false)
        state.current = index
        return index
    }

    /// Writes all of `bytes` (retrying short writes and interruptions).
    private static func write(_ bytes: [UInt8], to descriptor: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw SpoolError("cannot append to the tracking spool: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    /// The hits of a spool file and how many lines could not be read (a last line cut short by a crash is not counted:
    /// its hit was never answered).
    static func read(descriptor: Int32) -> (hits: [TrackingHit], skipped: Int) {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: chunk[0..<count])
            offset += off_t(count)
        }
        var hits: [TrackingHit] = []
        var skipped = 0
        let text = String(decoding: data, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex)]
        for line in complete.split(separator: "\n") {
            if let hit = TrackingHit(spoolLine: line) { hits.append(hit) } else { skipped += 1 }
        }
        return (hits, skipped)
    }

    /// A spool file that cannot be made or written.
    struct SpoolError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
