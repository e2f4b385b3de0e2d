import Channels
import Connectors
import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

struct MediaStoreTests {
    static let spec = try! CampaignSpec(
        name: "Pictures",
        channels: [.bluesky, .mastodon],
        variants: [
            .init(
                key: "A",
                text: "Two looks",
                images: [
                    VariantImage(source: .file("a.png"), alt: "A runner at dawn"),
                    VariantImage(source: .file("b.jpg"), alt: "The same runner at dusk"),
                ]
            ),
            .init(key: "B", text: "One look", images: [VariantImage(source: .file("a.png"), alt: "Dawn, described again")]),
            .init(key: "C", text: "No look"),
        ]
    )

    static func uploads() throws -> [[ImageUpload]] {
        let dawn = TestImages.png(width: 1200, height: 800, size: 2_000)
        let dusk = TestImages.jpeg(width: 1080, height: 1350, size: 3_000)
        return [
            [
                try ImageUpload(data: dawn, altText: "A runner at dawn", field: "a"),
                try ImageUpload(data: dusk, altText: "The same runner at dusk", field: "b"),
            ],
            [try ImageUpload(data: dawn, altText: "Dawn, described again", sourceURL: nil, field: "c")],
            [],
        ]
    }

    @Test func imagesAreStoredOnceAndComeBackInOrderWithTheirAltText() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec, images: try Self.uploads())
            let media = MediaStore(database, workspace: workspace)

            #expect(campaign.variants.map(\.media.count) == [2, 1, 0])
            #expect(campaign.variants[0].media.map(\.mimeType) == ["image/png", "image/jpeg"])
            #expect(campaign.variants[0].media[1].width == 1080 && campaign.variants[0].media[1].height == 1350)
            // The same picture in two variants is one stored image, with each variant's own alt text.
            #expect(campaign.variants[0].media[0].id == campaign.variants[1].media[0].id)
            #expect(campaign.variants[1].media[0].altText == "Dawn, described again")
            let count = try await database.client.query("SELECT count(*)::int FROM media", logger: database.logger)
            for try await stored in count.decode(Int.self) { #expect(stored == 2) }

            let attachments = try await media.attachments(variant: campaign.variants[0].id)
            #expect(attachments.map(\.altText) == ["A runner at dawn", "The same runner at dusk"])
            #expect(attachments.map(\.mimeType) == ["image/png", "image/jpeg"])
            #expect(attachments[1].data == TestImages.jpeg(width: 1080, height: 1350, size: 3_000))
            #expect(try await media.attachments(variant: campaign.variants[2].id).isEmpty)

            // Storing the same bytes again returns the first id.
            let again = try await media.store(try Self.uploads()[0][0])
            #expect(again == campaign.variants[0].media[0].id)

            // Read back with the campaign.
            let found = try await CampaignStore(database, workspace: workspace).find(campaign.id)
            #expect(found.variants.map(\.media) == campaign.variants.map(\.media))
        }
    }

    @Test func anotherWorkspaceSeesNoneOfThem() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let other = try await WorkspaceStore(database).ensure(slug: "other")
            let campaign = try await CampaignStore(database, workspace: workspace).create(Self.spec, images: try Self.uploads())
            #expect(try await MediaStore(database, workspace: other).attachments(variant: campaign.variants[0].id).isEmpty)
            await #expect(throws: NotFoundError.self) {
                _ = try await MediaStore(database, workspace: other).image(campaign.variants[0].media[0].id)
            }
        }
    }

    @Test func channelRulesRefuseAnImageThatIsTooLargeForBluesky() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            var uploads = try Self.uploads()
            uploads[1] = [try ImageUpload(data: TestImages.png(width: 10, height: 10, size: 1_200_000), altText: "Big", field: "x")]
            await #expect(
                throws: ValidationError(
                    field: "variants[1].image",
                    reason: "for bluesky: is 1.2 MB (1200000 bytes); bluesky takes at most 1.0 MB (1000000 bytes) per image"
                )
            ) {
                _ = try await CampaignStore(database, workspace: workspace).create(Self.spec, images: uploads)
            }
            #expect(try await CampaignStore(database, workspace: workspace).list().isEmpty)
        }
    }

    @Test func addedVariantsCarryImagesAndAltTextCanBeReplacedWithinLimits() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "default")
            let store = CampaignStore(database, workspace: workspace)
            let campaign = try await store.create(Self.spec, images: try Self.uploads())
            let added = try await store.addVariant(
                to: campaign.id,
                key: "D",
                text: "A GIF",
                images: [try ImageUpload(data: TestImages.gif(width: 300, height: 200), altText: "A dancing shoe", field: "image")]
            )
            #expect(added.media.map(\.mimeType) == ["image/gif"])
            let media = MediaStore(database, workspace: workspace)
            try await media.setAltText("A shoe that dances", variant: added.id, position: 0)
            #expect(try await media.attachments(variant: added.id).map(\.altText) == ["A shoe that dances"])
            await #expect(throws: NotFoundError.self) { try await media.setAltText("x", variant: added.id, position: 3) }
            await #expect(throws: ValidationError.self) { try await media.setAltText(" ", variant: added.id, position: 0) }
        }
    }
}
