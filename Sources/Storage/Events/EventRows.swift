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
        let days = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let (year, month, _) = civil(days: days)
        return Int(year) * 12 + Int(month) - 1
    }

    /// The first instant of a month given as `year * 12 + month - 1`, in UTC.
    static func start(ofMonth month: Int) -> Date {
        let year = Int64(month / 12)
        let monthOfYear = Int64(month % 12 + 1)
        // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
        let y = monthOfYear <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (monthOfYear > 2 ? monthOfYear - 3 : monthOfYear + 9) + 2) / 5
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Date(timeIntervalSince1970: Double(era * 146_097 + dayOfEra - 719_468) * 86_400)
    }

    /// The civil date (year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes a uuid in its canonical text form, without allocating a String.
    static func appendUUID(_ uuid: UUID, to buffer: inout ByteBuffer) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { buffer.writeInteger(UInt8(ascii: "-")) }
                buffer.writeInteger(hexDigits[Int(byte >> 4)])
                buffer.writeInteger(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    /// Writes `YYYY-MM-DD HH:MM:SS.ffffff+00` (UTC, microseconds), which `timestamptz` reads exactly.
    static func appendTimestamp(_ date: Date, to buffer: inout ByteBuffer) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var days = micros / 86_400_000_000
        var rest = micros % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = civil(days: days)
        let seconds = rest / 1_000_000
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var remaining = value
            while divisor > 0 {
                buffer.writeInteger(UInt8(ascii: "0") + UInt8(remaining / divisor))
                remaining %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        digits(month, 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        digits(day, 2)
        buffer.writeInteger(UInt8(ascii: " "))
        digits(seconds / 3_600, 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        digits(seconds % 60, 2)
        buffer.writeInteger(UInt8(ascii: "."))
        digits(rest % 1_000_000, 6)
        buffer.writeString("+00")
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

        init(_ events: [EngagementEvent]) {
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
