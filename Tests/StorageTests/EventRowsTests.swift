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

    @Test func rowsAreWholeCOPYTextLines() {
        let id = EventID(UUID(uuidString: "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B")!)
        let variant = VariantID(UUID(uuidString: "11111111-2222-4333-8444-555555555555")!)
        let workspace = WorkspaceID(UUID(uuidString: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE")!)
        let campaign = CampaignID(UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
        let time = Date(timeIntervalSince1970: 1_780_000_000.123456)
        var buffer = ByteBuffer()
        EventRows.appendEventRow(EngagementEvent(id: id, variantID: variant, kind: .conversion, occurredAt: time, value: 19.9), workspace: workspace, campaign: campaign, to: &buffer)
        buffer.writeString("|")
        EventRows.appendEventRow(EngagementEvent(id: id, variantID: variant, kind: .click, occurredAt: time), workspace: workspace, campaign: campaign, to: &buffer)
        buffer.writeString("|")
        EventRows.appendIDRow(id, workspace: workspace, to: &buffer)
        let ids = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\taaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
        let rest = "00000000-0000-4000-8000-000000000001\t11111111-2222-4333-8444-555555555555"
        #expect(
            String(buffer: buffer)
                == "\(ids)\t\(rest)\tconversion\t2026-05-28 20:26:40.123456+00\t19.9|\(ids)\t\(rest)\tclick\t2026-05-28 20:26:40.123456+00\t\\N|\(ids)"
        )
    }

    @Test func monthsRoundTrip() {
        for month in [0, 23_639, 24_323, 24_324, 24_335] {
            #expect(EventRows.month(of: EventRows.start(ofMonth: month)) == month)
            #expect(EventRows.month(of: EventRows.start(ofMonth: month).addingTimeInterval(-1)) == month - 1)
        }
    }
}
