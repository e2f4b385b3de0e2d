import ArgumentParser
import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HTTPAPI
import HeraldCore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Storage
import Synchronization

/// `herald bench ingest`: the same rows loaded by `psql \copy` (the baseline, in the same run),
/// by `herald import events` (CSV through COPY), and posted to `POST /v1/events` by concurrent clients.
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest rows/s: psql \\copy (baseline) vs herald import (COPY) vs POST /v1/events over loopback.",
        discussion: """
            Runs in a database of its own (herald_bench) on the embedded cluster or on DATABASE_URL's server. \
            The baseline is psql \\copy of the same rows into Herald's event storage in one transaction: the ids \
            into event_ids (the global idempotency key) and the rows into events (its month partitions and \
            primary key), the least a hand load must write for replays to stay duplicates. Herald also checks \
            every row and keeps the hourly rollups. Two references beside it: psql \\copy into events alone \
            (no idempotency key), and into a bare table with only a primary key. \
            Build with -c release before quoting figures.
            """
    )

    @Option(help: "Events to load in each of the three ways.") var rows: Int = 200_000
    @Option(help: "Events per HTTP request.") var batch: Int = 1_000
    @Option(help: "Concurrent HTTP clients.") var clients: Int = 8

    func validate() throws {
        guard rows >= 1, batch >= 1, clients >= 1 else {
            throw ArgumentParser.ValidationError("--rows, --batch and --clients must be at least 1")
        }
    }

    func run() async throws {
        let logger = Logger(label: "herald.bench")
        let session = DatabaseSession(configuration: HeraldConfiguration(), logger: logger)
        var target = try await session.resolve().with(database: "herald_bench")
        target.maximumConnections = clients + 8
        try await Database.createDatabaseIfMissing(target, logger: logger)
        guard let psql = PostgresBinaries.findOnPath("psql") else {
            throw CommandFailure(message: "psql is missing: install the PostgreSQL client (apt-get install postgresql-client) for the baseline")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-ingest-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (rows, batch, clients) = (self.rows, self.batch, self.clients)

        let figures = try await Database.withDatabase(target, logger: logger) { database in
            try await Migrator(migrations: try Migration.bundled()).migrate(database)
            let workspace = try await WorkspaceStore(database).ensure(slug: "bench")
            let campaigns = CampaignStore(database, workspace: workspace)
            if let old = try? await campaigns.find("ingest-bench") { try await campaigns.delete(old.id) }
            let campaign = try await campaigns.create(
                try CampaignSpec(
                    name: "Ingest bench",
                    slug: "ingest-bench",
                    channels: [.x],
                    variants: [.init(key: "A", text: "Bench A"), .init(key: "B", text: "Bench B")]
                )
            )
            let events = Self.events(rows, variants: campaign.variants.map(\.id))
            let csv = folder.appendingPathComponent("events.csv")
            try Self.csv(events).write(to: csv)

            // 1. The baseline: psql \copy of the same rows into Herald's event storage, in one transaction: the
            //    ids into the idempotency key, the rows (with the two tenant columns Herald derives from the
            //    variant) into events, same partitions and indexes.
            try await Self.reset(database)
            try await PartitionManager(database).ensure(covering: events.map(\.occurredAt))
            let tenantCSV = folder.appendingPathComponent("events-with-tenant.csv")
            try Self.csv(events, workspace: workspace, campaign: campaign.id).write(to: tenantCSV)
            let idsCSV = folder.appendingPathComponent("event-ids.csv")
            try Self.idsCSV(events, workspace: workspace).write(to: idsCSV)
            let copyEvents =
                "\\copy events (id, variant_id, kind, occurred_at, value, workspace_id, campaign_id) FROM '\(tenantCSV.path)' WITH (FORMAT csv, HEADER true)"
            let copySeconds = try await Self.psqlCopy(
                psql,
                url: target.url,
                "\\copy event_ids (id, workspace_id) FROM '\(idsCSV.path)' WITH (FORMAT csv, HEADER true)",
                copyEvents
            )
            // References beside it: psql \copy into events alone (no idempotency key: replays would count twice),
            try await Self.reset(database)
            let eventsOnlySeconds = try await Self.psqlCopy(psql, url: target.url, copyEvents)
            // and into a bare table with only a primary key on the id.
            try await Self.reset(database)
            try await BenchFixtures(database).createCopyReferenceTable()
            let referenceSeconds = try await Self.psqlCopy(
                psql,
                url: target.url,
                "\\copy bench_copy_reference (id, variant_id, kind, occurred_at, value) FROM '\(csv.path)' WITH (FORMAT csv, HEADER true)"
            )
            try await BenchFixtures(database).dropCopyReferenceTable()

            // 2. herald import events: parse and validate the CSV, then one atomic COPY with rollups.
            try await Self.reset(database)
            let importStart = ContinuousClock.now
            let imported = try await EventImporter(database: database, workspace: workspace).importFile(csv, now: Date(), showProgress: false)
            let importSeconds = (ContinuousClock.now - importStart).seconds
            guard imported.accepted == rows else { throw CommandFailure(message: "import accepted \(imported.accepted) of \(rows) rows") }

            // 3. POST /v1/events from concurrent clients to a server on loopback.
            try await Self.reset(database)
            let token = try await TokenStore(database).create(workspace: workspace, role: .editor, name: "bench").secret
            let bodies = stride(from: 0, to: events.count, by: batch).map { start in
                Self.json(events[start..<min(start + batch, events.count)])
            }
            let http = try await Self.post(bodies, token: token, clients: clients, database: database, logger: logger)
            guard http.accepted == rows else { throw CommandFailure(message: "the HTTP API accepted \(http.accepted) of \(rows) rows") }
            try await Self.reset(database)
            return (copySeconds, importSeconds, http, referenceSeconds, eventsOnlySeconds)
        }

        let baseline = Double(rows) / figures.0
        let importRate = Double(rows) / figures.1
        let httpRate = Double(rows) / figures.2.seconds
        let reference = Double(rows) / figures.3
        let eventsOnly = Double(rows) / figures.4
        print("path                                          rows      seconds   rows/s     vs baseline")
        print(String(format: "psql \\copy into event_ids + events (baseline)  %-9d %7.3f  %9.0f   1.00x", rows, figures.0, baseline))
        print(
            String(
                format: "psql \\copy into events alone (reference)      %-9d %7.3f  %9.0f   %.2fx",
                rows,
                figures.4,
                eventsOnly,
                eventsOnly / baseline
            )
        )
        print(
            String(
                format: "psql \\copy into a bare table with PK          %-9d %7.3f  %9.0f   %.2fx",
                rows,
                figures.3,
                reference,
                reference / baseline
            )
        )
        print(
            String(
                format: "herald import events                          %-9d %7.3f  %9.0f   %.2fx",
                rows,
                figures.1,
                importRate,
                importRate / baseline
            )
        )
        print(
            String(
                format:
                    "POST /v1/events                               %-9d %7.3f  %9.0f   %.2fx   (%d clients, %d rows/request, p50 %.1f ms, p99 %.1f ms)",
                rows,
                figures.2.seconds,
                httpRate,
                httpRate / baseline,
                clients,
                batch,
                figures.2.p50,
                figures.2.p99
            )
        )
        func ratio(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        let json: [String: any Encodable & Sendable] = [
            "bench": "ingest", "rows": rows, "batch": batch, "clients": clients,
            "baseline": "psql \\copy into event_ids + events, one transaction",
            "baseline_rows_per_s": baseline.rounded(), "import_rows_per_s": importRate.rounded(), "http_rows_per_s": httpRate.rounded(),
            "import_ratio": ratio(importRate / baseline), "http_ratio": ratio(httpRate / baseline),
            "http_p50_ms": (figures.2.p50 * 100).rounded() / 100, "http_p99_ms": (figures.2.p99 * 100).rounded() / 100,
            "events_only_rows_per_s": eventsOnly.rounded(), "import_ratio_vs_events_only": ratio(importRate / eventsOnly),
            "http_ratio_vs_events_only": ratio(httpRate / eventsOnly), "reference_rows_per_s": reference.rounded(),
        ]
        print(try Terminal.json(json.mapValues { AnyEncodable($0) }, pretty: false))
    }

    /// Empties the event tables of the bench database (never the user's).
    static func reset(_ database: Database) async throws {
        try await BenchFixtures(database).emptyEventTables()
    }

    /// Rows with time-ordered ids (UUIDv7 layout), 90% impressions and 10% clicks over the last ten days.
    static func events(_ count: Int, variants: [VariantID]) -> [EngagementEvent] {
        var random = SystemRandomNumberGenerator()
        let now = Date()
        let start = now.addingTimeInterval(-10 * 86_400)
        return (0..<count).map { index in
            let time = start.addingTimeInterval(10 * 86_400 * Double(index) / Double(count))
            return EngagementEvent(
                id: EventID(uuidV7(time, random: &random)),
                variantID: variants[index % variants.count],
                kind: index % 10 == 0 ? .click : .impression,
                occurredAt: time,
                value: nil
            )
        }
    }

    static func uuidV7(_ time: Date, random: inout SystemRandomNumberGenerator) -> UUID {
        let millis = UInt64(time.timeIntervalSince1970 * 1000)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }

    /// Runs `\\copy` commands through psql in one transaction and returns its wall time in seconds.
    static func psqlCopy(_ psql: String, url: String, _ commands: String...) async throws -> Double {
        let start = ContinuousClock.now
        let output = try await ProcessRunner.run(
            psql,
            [url, "-v", "ON_ERROR_STOP=1", "-q", "--single-transaction"] + commands.flatMap { ["-c", $0] }
        )
        let elapsed = (ContinuousClock.now - start).seconds
        guard output.succeeded else { throw CommandFailure(message: "psql \\copy failed: \(output.standardError)") }
        return elapsed
    }

    /// The ids with their workspace, for copying into `event_ids`.
    static func idsCSV(_ events: [EngagementEvent], workspace: WorkspaceID) -> Data {
        var text = "id,workspace_id\n"
        text.reserveCapacity(events.count * 75)
        for event in events { text += "\(event.id),\(workspace)\n" }
        return Data(text.utf8)
    }

    /// The rows with the workspace and campaign columns appended, for copying straight into `events`.
    static func csv(_ events: [EngagementEvent], workspace: WorkspaceID, campaign: CampaignID) -> Data {
        var text = "id,variant_id,kind,occurred_at,value,workspace_id,campaign_id\n"
        text.reserveCapacity(events.count * 190)
        for event in events {
            text += "\(event.id),\(event.variantID),\(event.kind.rawValue),\(Timestamp.format(event.occurredAt)),,\(workspace),\(campaign)\n"
        }
        return Data(text.utf8)
    }

    static func csv(_ events: [EngagementEvent]) -> Data {
        var text = "id,variant_id,kind,occurred_at,value\n"
        text.reserveCapacity(events.count * 110)
        for event in events {
            text += "\(event.id),\(event.variantID),\(event.kind.rawValue),\(Timestamp.format(event.occurredAt)),\n"
        }
        return Data(text.utf8)
    }

    static func json(_ events: ArraySlice<EngagementEvent>) -> ByteBuffer {
        var text = "["
        for (index, event) in events.enumerated() {
            if index > 0 { text += "," }
            text +=
                #"{"id":"\#(event.id)","variant_id":"\#(event.variantID)","kind":"\#(event.kind.rawValue)","occurred_at":"\#(Timestamp.format(event.occurredAt))"}"#
        }
        text += "]"
        return ByteBuffer(string: text)
    }

    struct HTTPFigures: Sendable {
        var seconds: Double
        var accepted: Int
        var p50: Double
        var p99: Double
    }

    /// Starts the server on a free loopback port and posts every body from `clients` concurrent clients.
    static func post(_ bodies: [ByteBuffer], token: String, clients: Int, database: Database, logger: Logger) async throws -> HTTPFigures {
        let settings = ServerSettings(host: "127.0.0.1", port: 0, maximumBatchRows: 100_000, maximumBodyBytes: 64 << 20)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = HeraldServer.buildApplication(database: database, settings: settings, logger: logger) { continuation.yield($0) }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { _ = client.shutdown() }
        let services = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CommandFailure(message: "the server did not start") }
            let next = BatchCounter()
            let start = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: (Int, [Double]).self) { posting in
                for _ in 0..<clients {
                    posting.addTask {
                        var accepted = 0
                        var latencies: [Double] = []
                        while true {
                            let index = next.take()
                            guard index < bodies.count else { break }
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
                            request.method = .POST
                            request.headers.add(name: "Authorization", value: "Bearer \(token)")
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(bodies[index])
                            let sent = ContinuousClock.now
                            let response = try await client.execute(request, timeout: .seconds(120))
                            let body = try await response.body.collect(upTo: 1 << 20)
                            latencies.append((ContinuousClock.now - sent).seconds * 1000)
                            guard response.status == .accepted else {
                                throw CommandFailure(message: "POST /v1/events answered \(response.status.code): \(String(buffer: body))")
                            }
                            let result = try JSONDecoder().decode(IngestResponse.self, from: Data(body.readableBytesView))
                            accepted += result.accepted
                        }
                        return (accepted, latencies)
                    }
                }
                var accepted = 0
                var latencies: [Double] = []
                for try await (count, times) in posting {
                    accepted += count
                    latencies += times
                }
                return (accepted, latencies.sorted())
            }
            let elapsed = (ContinuousClock.now - start).seconds
            try await client.shutdown()
            await services.triggerGracefulShutdown()
            return HTTPFigures(
                seconds: elapsed,
                accepted: results.0,
                p50: BenchCommand.JobsBench.percentile(results.1, 0.5),
                p99: BenchCommand.JobsBench.percentile(results.1, 0.99)
            )
        }
    }
}

/// Hands out batch numbers to concurrent clients.
final class BatchCounter: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
