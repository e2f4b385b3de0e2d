import Foundation
import HeraldCore
import NIOCore
import Testing

@testable import Storage

@Suite struct EventRowsTests {
    @Test func uuidsSortLikePostgreSQL() {
        let ids = (0..<200).map { _ in UUID() }
        let events = (ids + ids.prefix(20)).map {
            EngagementEvent(id: EventID($0), variantID: VariantID(UUID()), kind: .click, occurredAt: Date())
        }
        let sorted = EventRows.uniqueSortedByID(events)
        #expect(sorted.count == 200)
        #expect(sorted.map { $0.id.uuid.uuidString.lowercased() } == ids.map { $0.uuidString.lowercased() }.sorted())
    }

    @Test func tuplesAreBinaryCOPYFieldsInColumnOrder() {
        let id = EventID(UUID(uuidString: "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B")!)
        let variant = VariantID(UUID(uuidString: "11111111-2222-4333-8444-555555555555")!)
        let workspace = WorkspaceID(UUID(uuidString: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE")!)
        let campaign = CampaignID(UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
        let time = Date(timeIntervalSince1970: 946_684_800 + 1.5)  // 1.5 s after PostgreSQL's epoch
        func bytes(_ uuid: UUID) -> [UInt8] { withUnsafeBytes(of: uuid.uuid) { Array($0) } }
        func field(_ content: [UInt8]) -> [UInt8] { [0, 0, 0, UInt8(content.count)] + content }

        var buffer = ByteBuffer()
        EventRows.appendEventRow(
            EngagementEvent(id: id, variantID: variant, kind: .click, occurredAt: time, value: 2.5),
            workspace: workspace,
            campaign: campaign,
            to: &buffer
        )
        let micros: [UInt8] = [0, 0, 0, 0, 0, 0x16, 0xE3, 0x60]  // 1,500,000
        let twoAndAHalf: [UInt8] = [0x40, 0x04, 0, 0, 0, 0, 0, 0]
        var expected: [UInt8] = [0, 9] + field(bytes(id.uuid)) + field(bytes(workspace.uuid)) + field(bytes(campaign.uuid))
        expected += field(bytes(variant.uuid)) + field(Array("click".utf8)) + field(micros) + field(twoAndAHalf)
        expected += [0xFF, 0xFF, 0xFF, 0xFF] + field([])  // no publication (NULL), channel ''
        #expect(buffer.readBytes(length: buffer.readableBytes) == expected)

        let publication = UUID(uuidString: "99999999-8888-4777-8666-555555555555")!
        EventRows.appendEventRow(
            EngagementEvent(id: id, variantID: variant, kind: .click, occurredAt: time, value: 2.5, publicationID: publication, channel: "email"),
            workspace: workspace,
            campaign: campaign,
            to: &buffer
        )
        #expect(
            buffer.readBytes(length: buffer.readableBytes) == Array(expected.dropLast(8)) + field(bytes(publication)) + field(Array("email".utf8))
        )

        EventRows.appendEventRow(
            EngagementEvent(id: id, variantID: variant, kind: .impression, occurredAt: time),
            workspace: workspace,
            campaign: campaign,
            to: &buffer
        )
        #expect(buffer.getBytes(at: buffer.writerIndex - 12, length: 4) == [0xFF, 0xFF, 0xFF, 0xFF])  // a missing value is NULL
        buffer.clear()
        EventRows.appendIDRow(id, workspace: workspace, to: &buffer)
        #expect(buffer.readBytes(length: buffer.readableBytes) == [0, 2] + field(bytes(id.uuid)) + field(bytes(workspace.uuid)))
    }

    @Test func monthsRoundTrip() {
        for month in [0, 23_639, 24_323, 24_324, 24_335] {
            #expect(EventRows.month(of: EventRows.start(ofMonth: month)) == month)
            #expect(EventRows.month(of: EventRows.start(ofMonth: month).addingTimeInterval(-1)) == month - 1)
        }
    }
}
