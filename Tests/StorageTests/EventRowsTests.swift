import Foundation
import HeraldCore
import NIOCore
@testable import Storage
import Testing

@Suite struct EventRowsTests {
    @Test func timestampsAreWrittenAsPostgreSQLReadsThem() {
        let cases: [(Double, String)] = [
            (0, "1970-01-01 00:00:00.000000+00"),
            (951_782_400.5, "2000-02-29 00:00:00.500000+00"),
            (1_780_000_000.123456, "2026-05-28 20:26:40.123456+00"),
            (4_102_444_799.999999, "2099-12-31 23:59:59.999999+00"),
        ]
        for (seconds, text) in cases {
            var buffer = ByteBuffer()
            EventRows.appendTimestamp(Date(timeIntervalSince1970: seconds), to: &buffer)
            #expect(String(buffer: buffer) == text)
        }
    }

    @Test func uuidsAreCanonicalAndSortLikePostgreSQL() {
        let id = UUID(uuidString: "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B")!
        var buffer = ByteBuffer()
        EventRows.appendUUID(id, to: &buffer)
        #expect(String(buffer: buffer) == "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
        let ids = (0..<200).map { _ in UUID() }
        let events = (ids + ids.prefix(20)).map {
            EngagementEvent(id: EventID($0), variantID: VariantID(UUID()), kind: .click, occurredAt: Date())
        }
        let sorted = EventRows.uniqueSortedByID(events)
        #expect(sorted.count == 200)
        #expect(sorted.map { $0.id.uuid.uuidString.lowercased() } == ids.map { $0.uuidString.lowercased() }.sorted())
    }

    @Test func monthsRoundTrip() {
        for month in [0, 23_639, 24_323, 24_324, 24_335] {
            #expect(EventRows.month(of: EventRows.start(ofMonth: month)) == month)
            #expect(EventRows.month(of: EventRows.start(ofMonth: month).addingTimeInterval(-1)) == month - 1)
        }
    }
}
