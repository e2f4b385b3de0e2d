import Foundation
import HeraldCore
import Logging
import NIOCore
import PostgresNIO

/// How events travel to PostgreSQL: binary COPY tuples and the batch's hourly totals.
enum EventRows {
    /// Whether `a` sorts before `b` as PostgreSQL orders uuids (byte by byte).
    static func precedes(_ a: UUID, _ b: UUID) -> Bool {
        withUnsafeBytes(of: a.uuid) { left in
            withUnsafeBytes(of: b.uuid) { right in
                left.lexicographicallyPrecedes(right)
            }
        }
    }

    /// The events without repeated ids (the first of each kept), sorted by id as PostgreSQL sorts uuids.
    static func uniqueSortedByID(_ events: [EngagementEvent]) -> [EngagementEvent] {
        var seen = Set<EventID>(minimumCapacity: events.count)
        return sortedByID(events.filter { seen.insert($0.id).inserted })
    }

    /// Events already free of repeated ids, sorted by id as PostgreSQL sorts uuids.
    static func sortedByID(_ events: [EngagementEvent]) -> [EngagementEvent] {
        var keyed: [(high: UInt64, low: UInt64, index: Int)] = []
        keyed.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            let (high, low) = halves(event.id.uuid)
            keyed.append((high, low, index))
        }
        keyed.sort { $0.high != $1.high ? $0.high < $1.high : $0.low < $1.low }
        return keyed.map { events[$0.index] }
    }

    /// A uuid's bytes as two big-endian integers: their order is PostgreSQL's order of uuids.
    static func halves(_ uuid: UUID) -> (UInt64, UInt64) {
        let u = uuid.uuid
        let high = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = [u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (high, low)
    }

    /// The month of a time in UTC, as `year * 12 + month - 1`.
    static func month(of date: Date) -> Int {
        let (year, month, _) = CivilDay(index: Int((date.timeIntervalSince1970 / 86_400).rounded(.down))).components
        return year * 12 + month - 1
    }

    /// The first instant of a month given as `year * 12 + month - 1`, in UTC.
    static func start(ofMonth month: Int) -> Date {
        Date(timeIntervalSince1970: Double(CivilDay(year: month / 12, month: month % 12 + 1, day: 1).index) * 86_400)
    }

    /// The columns of a COPY into `events`, in ``appendEventRow(_:workspace:campaign:to:)``'s order.
    static let eventColumns = ["id", "workspace_id", "campaign_id", "variant_id", "kind", "occurred_at", "value", "publication_id", "channel"]

    /// `COPY table (columns) FROM STDIN WITH (FORMAT binary)`, streaming what `write` sends.
    ///
    /// Binary COPY spares the server from parsing text: reading uuids and timestamps from text was about
    /// a quarter of a text COPY's time into `events`. PostgresNIO's `copyFrom` builds text-format
    /// statements only, but places its `table` argument in the statement as given (so documented); the
    /// whole statement is passed there and the rest of the built one becomes a comment. `table` and
    /// `columns` are this module's constants, never input. If a PostgresNIO release changed how it builds
    /// the statement, every ingest test would fail at once.
    static func copyBinary(
        into table: String,
        columns: [String],
        connection: PostgresConnection,
        logger: Logger,
        write: (PostgresCopyFromWriter) async throws -> Void
    ) async throws {
        let statement = "\(table)\" (\(columns.joined(separator: ", "))) FROM STDIN WITH (FORMAT binary) --"
        try await connection.copyFrom(table: statement, columns: [], logger: logger) { writer in
            var header = ByteBuffer()
            header.writeBytes(Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
            header.writeInteger(Int32(0))  // flags
            header.writeInteger(Int32(0))  // header extension length
            try await writer.write(header)
            try await write(writer)
            var trailer = ByteBuffer()
            trailer.writeInteger(Int16(-1))
            try await writer.write(trailer)
        }
    }

    /// A time as PostgreSQL stores a `timestamptz`: whole microseconds since 2000-01-01 00:00:00 UTC,
    /// rounded to the nearest (every path that writes events uses this, so they store the same instant).
    static func microseconds(since2000 date: Date) -> Int64 {
        Int64(((date.timeIntervalSince1970 - 946_684_800) * 1_000_000).rounded())
    }

    /// A batch's columns as arrays, to bind as binary parameters and `unnest` in SQL.
    struct ColumnArrays {
        var ids: [UUID] = []
        var campaigns: [UUID] = []
        var variants: [UUID] = []
        var kinds: [String] = []
        /// `occurred_at` as ``microseconds(since2000:)``: PostgresNIO's `Date` binding truncates instead.
        var times: [Int64] = []
        /// NaN where an event has no value (accepted values are finite).
        var values: [Double] = []
        /// The publication's id as text, `""` where an event names none (`nullif(…, '')::uuid` in SQL).
        var publications: [String] = []
        /// The publication's channel, `""` where an event names none.
        var channels: [String] = []
        /// The audience message's id as text, `""` where an event names none.
        var messages: [String] = []

        init(_ events: [EngagementEvent], campaigns: [VariantID: CampaignID]) {
            ids.reserveCapacity(events.count)
            self.campaigns.reserveCapacity(events.count)
            variants.reserveCapacity(events.count)
            kinds.reserveCapacity(events.count)
            times.reserveCapacity(events.count)
            values.reserveCapacity(events.count)
            publications.reserveCapacity(events.count)
            channels.reserveCapacity(events.count)
            messages.reserveCapacity(events.count)
            for event in events {
                ids.append(event.id.uuid)
                self.campaigns.append(campaigns[event.variantID]!.uuid)
                variants.append(event.variantID.uuid)
                kinds.append(event.kind.rawValue)
                times.append(EventRows.microseconds(since2000: event.occurredAt))
                values.append(event.value ?? .nan)
                publications.append(event.publicationID.map { $0.uuidString } ?? "")
                channels.append(event.channel ?? "")
                messages.append(event.messageID.map { $0.uuidString } ?? "")
            }
        }
    }

    /// COPYs the events into `events`.
    static func copyEvents(
        _ events: [EngagementEvent],
        workspace: WorkspaceID,
        campaigns: [VariantID: CampaignID],
        connection: PostgresConnection,
        logger: Logger,
        progress: @Sendable (Double) -> Void = { _ in }
    ) async throws {
        try await copyBinary(into: "events", columns: eventColumns, connection: connection, logger: logger) { writer in
            try await write(events, to: writer, progress: progress) { buffer, event in
                appendEventRow(event, workspace: workspace, campaign: campaigns[event.variantID]!, to: &buffer)
            }
        }
    }

    /// One event as a binary COPY tuple in ``eventColumns``' order (a missing value or publication is a NULL field).
    static func appendEventRow(_ event: EngagementEvent, workspace: WorkspaceID, campaign: CampaignID, to buffer: inout ByteBuffer) {
        let channel = event.channel ?? ""
        let size = 2 + 5 * 20 + 4 + event.kind.rawValue.utf8.count + 2 * 12 + 4 + channel.utf8.count
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var tuple = BinaryWriter(out)
            tuple.int16(9)
            tuple.uuidField(event.id.uuid)
            tuple.uuidField(workspace.uuid)
            tuple.uuidField(campaign.uuid)
            tuple.uuidField(event.variantID.uuid)
            tuple.textField(event.kind.rawValue)
            tuple.timestampField(event.occurredAt)
            if let value = event.value { tuple.float8Field(value) } else { tuple.int32(-1) }
            if let publication = event.publicationID { tuple.uuidField(publication) } else { tuple.int32(-1) }
            tuple.textField(channel)
            return tuple.count
        }
    }

    /// One row of `event_ids` (id, workspace) as a binary COPY tuple.
    static func appendIDRow(_ id: EventID, workspace: WorkspaceID, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 2 + 2 * 20) { out in
            var tuple = BinaryWriter(out)
            tuple.int16(2)
            tuple.uuidField(id.uuid)
            tuple.uuidField(workspace.uuid)
            return tuple.count
        }
    }

    /// Writes binary COPY fields (big-endian, each after its length) into memory the caller made room for.
    struct BinaryWriter {
        let out: UnsafeMutableRawBufferPointer
        var count = 0

        init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

        mutating func int16(_ value: Int16) {
            out.storeBytes(of: value.bigEndian, toByteOffset: count, as: Int16.self)
            count += 2
        }

        mutating func int32(_ value: Int32) {
            out.storeBytes(of: value.bigEndian, toByteOffset: count, as: Int32.self)
            count += 4
        }

        mutating func int64(_ value: Int64) {
            out.storeBytes(of: value.bigEndian, toByteOffset: count, as: Int64.self)
            count += 8
        }

        mutating func uuidField(_ uuid: UUID) {
            int32(16)
            withUnsafeBytes(of: uuid.uuid) { bytes in
                UnsafeMutableRawBufferPointer(rebasing: out[count..<(count + 16)]).copyMemory(from: bytes)
            }
            count += 16
        }

        mutating func textField(_ text: String) {
            let start = count
            count += 4
            for byte in text.utf8 {
                out[count] = byte
                count += 1
            }
            out.storeBytes(of: Int32(count - start - 4).bigEndian, toByteOffset: start, as: Int32.self)
        }

        /// `timestamptz`: microseconds since 2000-01-01 00:00:00 UTC.
        mutating func timestampField(_ date: Date) {
            int32(8)
            int64(EventRows.microseconds(since2000: date))
        }

        mutating func float8Field(_ value: Double) {
            int32(8)
            int64(Int64(bitPattern: value.bitPattern))
        }
    }

    /// Streams one COPY tuple per event, in 1 MiB chunks.
    static func write(
        _ events: [EngagementEvent],
        to writer: PostgresCopyFromWriter,
        progress: @Sendable (Double) -> Void = { _ in },
        row: (inout ByteBuffer, EngagementEvent) -> Void
    ) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1 << 20)
        for (index, event) in events.enumerated() {
            row(&buffer, event)
            if buffer.readableBytes >= 1 << 20 {
                try await writer.write(buffer)
                buffer.clear()
                progress(Double(index + 1) / Double(events.count))
            }
        }
        if buffer.readableBytes > 0 { try await writer.write(buffer) }
        progress(1)
    }

    /// A batch's totals per variant, UTC hour, kind and channel: what it adds to `variant_hourly`.
    struct HourlyRollup {
        struct Key: Hashable, Comparable {
            var variant: UUID
            var hour: Int64
            var kind: String
            /// The publication's channel, `""` for events without one.
            var channel: String

            /// (variant, hour, kind, channel), as PostgreSQL orders the rollup's primary key (channels are ASCII
            /// names, so byte order and collation agree on them).
            static func < (lhs: Key, rhs: Key) -> Bool {
                if lhs.variant != rhs.variant { return EventRows.precedes(lhs.variant, rhs.variant) }
                if lhs.hour != rhs.hour { return lhs.hour < rhs.hour }
                if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
                return lhs.channel < rhs.channel
            }
        }

        struct Totals {
            var count = 0
            var sum = 0.0
            var sumOfSquares = 0.0
        }

        var totals: [Key: Totals] = [:]

        init(_ events: [EngagementEvent] = []) {
            add(events)
        }

        /// Adds more events to the totals.
        mutating func add(_ events: [EngagementEvent]) {
            for event in events {
                let hour = Int64((event.occurredAt.timeIntervalSince1970 / 3_600).rounded(.down)) * 3_600
                let key = Key(variant: event.variantID.uuid, hour: hour, kind: event.kind.rawValue, channel: event.channel ?? "")
                let value = event.value ?? 0
                totals[key, default: Totals()].count += 1
                totals[key]!.sum += value
                totals[key]!.sumOfSquares += value * value
            }
        }

        /// Adds the totals in one upsert, rows in (variant, hour, kind, channel) order so concurrent batches lock them alike.
        func add(to connection: PostgresConnection, workspace: WorkspaceID, campaigns: [VariantID: CampaignID], logger: Logger) async throws {
            let keys = totals.keys.sorted()
            let variants = keys.map(\.variant)
            let campaignIDs = keys.map { campaigns[VariantID($0.variant)]!.uuid }
            let hours = keys.map { Double($0.hour) }
            let kinds = keys.map(\.kind)
            let channels = keys.map(\.channel)
            let counts = keys.map { totals[$0]!.count }
            let sums = keys.map { totals[$0]!.sum }
            let squares = keys.map { totals[$0]!.sumOfSquares }
            try await connection.execute(
                """
                \(unescaped: EventStatements.rollupInsert)
                SELECT \(workspace.uuid), r.campaign, r.variant, to_timestamp(r.hour), r.kind, r.channel, r.count, r.total, r.squares
                FROM unnest(\(campaignIDs)::uuid[], \(variants)::uuid[], \(hours)::float8[], \(kinds)::text[], \(channels)::text[],
                            \(counts)::int8[], \(sums)::float8[], \(squares)::float8[]) WITH ORDINALITY
                     AS r(campaign, variant, hour, kind, channel, count, total, squares, position)
                ORDER BY r.position
                \(unescaped: EventStatements.rollupConflict)
                """,
                logger: logger
            )
        }
    }
}
