import Foundation
import HeraldCore
import Logging
import NIOCore
import PostgresNIO

/// How events travel to PostgreSQL: COPY text rows and the batch's hourly totals.
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
        var keyed: [(high: UInt64, low: UInt64, index: Int)] = []
        keyed.reserveCapacity(events.count)
        for (index, event) in events.enumerated() where seen.insert(event.id).inserted {
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

    /// The columns of a COPY into `events` (or a table shaped like it), in ``appendEventRow(_:workspace:campaign:to:)``'s order.
    static let eventColumns = ["id", "workspace_id", "campaign_id", "variant_id", "kind", "occurred_at", "value"]

    /// One event as a COPY text row (without the line end).
    static func appendEventRow(_ event: EngagementEvent, workspace: WorkspaceID, campaign: CampaignID, to buffer: inout ByteBuffer) {
        // Everything but the value in one write: byte-by-byte ByteBuffer writes cost more than the text itself.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 4 * 37 + 11 + 30) { out in
            var text = TextWriter(out)
            text.uuid(event.id.uuid)
            text.byte(UInt8(ascii: "\t"))
            text.uuid(workspace.uuid)
            text.byte(UInt8(ascii: "\t"))
            text.uuid(campaign.uuid)
            text.byte(UInt8(ascii: "\t"))
            text.uuid(event.variantID.uuid)
            text.byte(UInt8(ascii: "\t"))
            text.ascii(event.kind.rawValue)
            text.byte(UInt8(ascii: "\t"))
            text.timestamp(event.occurredAt)
            text.byte(UInt8(ascii: "\t"))
            return text.count
        }
        if let value = event.value { buffer.writeString(value.description) } else { buffer.writeString("\\N") }
    }

    /// One row of `event_ids` (id, workspace) as COPY text (without the line end).
    static func appendIDRow(_ id: EventID, workspace: WorkspaceID, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 2 * 37) { out in
            var text = TextWriter(out)
            text.uuid(id.uuid)
            text.byte(UInt8(ascii: "\t"))
            text.uuid(workspace.uuid)
            return text.count
        }
    }

    /// Writes a uuid in its canonical lowercase text form.
    static func appendUUID(_ uuid: UUID, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { out in
            var text = TextWriter(out)
            text.uuid(uuid)
            return text.count
        }
    }

    /// Writes `YYYY-MM-DD HH:MM:SS.ffffff+00` (UTC, microseconds), which `timestamptz` reads exactly.
    static func appendTimestamp(_ date: Date, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 29) { out in
            var text = TextWriter(out)
            text.timestamp(date)
            return text.count
        }
    }

    /// Writes COPY text into memory the caller made room for.
    struct TextWriter {
        let out: UnsafeMutableRawBufferPointer
        var count = 0

        init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

        mutating func byte(_ byte: UInt8) {
            out[count] = byte
            count += 1
        }

        mutating func ascii(_ text: String) {
            for byte in text.utf8 { self.byte(byte) }
        }

        /// A uuid in canonical lowercase form: 36 bytes.
        mutating func uuid(_ uuid: UUID) {
            withUnsafeBytes(of: uuid.uuid) { bytes in
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 { byte(UInt8(ascii: "-")) }
                    byte(TextEncoding.hexDigit(bytes[index] >> 4))
                    byte(TextEncoding.hexDigit(bytes[index] & 0x0F))
                }
            }
        }

        /// `value` in `width` decimal digits, zero-padded.
        mutating func digits(_ value: Int64, _ width: Int) {
            var remaining = value
            for position in stride(from: count + width - 1, through: count, by: -1) {
                out[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            count += width
        }

        /// `YYYY-MM-DD HH:MM:SS.ffffff+00`: 29 bytes.
        mutating func timestamp(_ date: Date) {
            let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
            var days = micros / 86_400_000_000
            var rest = micros % 86_400_000_000
            if rest < 0 {
                rest += 86_400_000_000
                days -= 1
            }
            let (year, month, day) = CivilDay(index: Int(days)).components
            let seconds = rest / 1_000_000
            digits(Int64(year), 4)
            byte(UInt8(ascii: "-"))
            digits(Int64(month), 2)
            byte(UInt8(ascii: "-"))
            digits(Int64(day), 2)
            byte(UInt8(ascii: " "))
            digits(seconds / 3_600, 2)
            byte(UInt8(ascii: ":"))
            digits(seconds / 60 % 60, 2)
            byte(UInt8(ascii: ":"))
            digits(seconds % 60, 2)
            byte(UInt8(ascii: "."))
            digits(rest % 1_000_000, 6)
            byte(UInt8(ascii: "+"))
            byte(UInt8(ascii: "0"))
            byte(UInt8(ascii: "0"))
        }
    }

    /// Streams one COPY text row per event, in 1 MiB chunks.
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
            buffer.writeInteger(UInt8(ascii: "\n"))
            if buffer.readableBytes >= 1 << 20 {
                try await writer.write(buffer)
                buffer.clear()
                progress(Double(index + 1) / Double(events.count))
            }
        }
        if buffer.readableBytes > 0 { try await writer.write(buffer) }
        progress(1)
    }

    /// A batch's totals per variant, UTC hour and kind: what it adds to `variant_hourly`.
    struct HourlyRollup {
        struct Key: Hashable, Comparable {
            var variant: UUID
            var hour: Int64
            var kind: String

            static func < (lhs: Key, rhs: Key) -> Bool {
                if lhs.variant != rhs.variant { return EventRows.precedes(lhs.variant, rhs.variant) }
                if lhs.hour != rhs.hour { return lhs.hour < rhs.hour }
                return lhs.kind < rhs.kind
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
                let key = Key(variant: event.variantID.uuid, hour: hour, kind: event.kind.rawValue)
                let value = event.value ?? 0
                totals[key, default: Totals()].count += 1
                totals[key]!.sum += value
                totals[key]!.sumOfSquares += value * value
            }
        }

        /// Adds the totals in one upsert, rows in (variant, hour, kind) order so concurrent batches lock them alike.
        func add(to connection: PostgresConnection, workspace: WorkspaceID, campaigns: [VariantID: CampaignID], logger: Logger) async throws {
            let keys = totals.keys.sorted()
            let variants = keys.map(\.variant)
            let campaignIDs = keys.map { campaigns[VariantID($0.variant)]!.uuid }
            let hours = keys.map { Double($0.hour) }
            let kinds = keys.map(\.kind)
            let counts = keys.map { totals[$0]!.count }
            let sums = keys.map { totals[$0]!.sum }
            let squares = keys.map { totals[$0]!.sumOfSquares }
            try await connection.query(
                """
                INSERT INTO variant_hourly AS h (workspace_id, campaign_id, variant_id, hour, kind, count, value_sum, value_sum_sq)
                SELECT \(workspace.uuid), r.campaign, r.variant, to_timestamp(r.hour), r.kind, r.count, r.total, r.squares
                FROM unnest(\(campaignIDs)::uuid[], \(variants)::uuid[], \(hours)::float8[], \(kinds)::text[], \(counts)::int8[],
                            \(sums)::float8[], \(squares)::float8[]) WITH ORDINALITY
                     AS r(campaign, variant, hour, kind, count, total, squares, position)
                ORDER BY r.position
                ON CONFLICT (variant_id, hour, kind) DO UPDATE
                SET count = h.count + EXCLUDED.count,
                    value_sum = h.value_sum + EXCLUDED.value_sum,
                    value_sum_sq = h.value_sum_sq + EXCLUDED.value_sum_sq
                """,
                logger: logger
            )
        }
    }
}
