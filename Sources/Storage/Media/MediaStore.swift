import Channels
import Connectors
import Crypto
import Foundation
import HeraldCore
import PostgresNIO

/// Images stored with variants (deduplicated per workspace by SHA-256), always within one workspace.
public struct MediaStore: Sendable {
    let database: Database
    /// The workspace every query is scoped to.
    public let workspace: WorkspaceID

    public init(_ database: Database, workspace: WorkspaceID) {
        self.database = database
        self.workspace = workspace
    }

    /// The lowercase hex SHA-256 of `data`, the key images are deduplicated by.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores an image once per workspace: the same bytes again return the first one's id.
    @discardableResult
    public func store(_ image: ImageUpload) async throws -> UUID {
        try await database.transaction { connection in try await Self.store(image, workspace: workspace, on: connection, logger: database.logger) }
    }

    /// Stores the image on `connection` (inside the caller's transaction) and returns its id.
    static func store(_ image: ImageUpload, workspace: WorkspaceID, on connection: PostgresConnection, logger: Logger) async throws -> UUID {
        let hash = sha256(image.data)
        // DO UPDATE (of nothing that changes) so the existing row's id comes back too.
        let rows = try await connection.query(
            """
            INSERT INTO media (workspace_id, sha256, mime_type, bytes, width, height, byte_size, source_url)
            VALUES (\(workspace.uuid), \(hash), \(image.header.mimeType), \(image.data), \(image.header.width), \(image.header.height),
                    \(image.data.count), \(image.sourceURL))
            ON CONFLICT (workspace_id, sha256) DO UPDATE SET source_url = coalesce(media.source_url, EXCLUDED.source_url)
            RETURNING id
            """,
            logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        throw StorageError("storing an image returned no id")
    }

    /// Stores `images` and attaches them, in order, to `variant` (on the caller's transaction).
    static func attach(
        _ images: [ImageUpload],
        to variant: VariantID,
        workspace: WorkspaceID,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        for (position, image) in images.enumerated() {
            let media = try await store(image, workspace: workspace, on: connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO variant_media (workspace_id, variant_id, position, media_id, alt_text)
                VALUES (\(workspace.uuid), \(variant.uuid), \(position), \(media), \(image.altText))
                """,
                logger: logger
            )
        }
    }

    /// A variant's images with their alt text, in order, as a connector uploads them.
    public func attachments(variant: VariantID) async throws -> [MediaAttachment] {
        let rows = try await database.client.query(
            """
            SELECT m.bytes, m.mime_type, vm.alt_text
            FROM variant_media vm JOIN media m ON m.id = vm.media_id
            WHERE vm.workspace_id = \(workspace.uuid) AND vm.variant_id = \(variant.uuid)
            ORDER BY vm.position
            """,
            logger: database.logger
        )
        var attachments: [MediaAttachment] = []
        for try await (bytes, mimeType, alt) in rows.decode((Data, String, String).self) {
            attachments.append(MediaAttachment(data: bytes, mimeType: mimeType, altText: alt))
        }
        return attachments
    }

    /// The images of each of `variants` (without their bytes), in order; variants with none are absent.
    public func media(of variants: [VariantID]) async throws -> [VariantID: [VariantMedia]] {
        guard !variants.isEmpty else { return [:] }
        let rows = try await database.client.query(
            """
            SELECT vm.variant_id, m.id, m.mime_type, m.width, m.height, m.byte_size, vm.alt_text, m.source_url
            FROM variant_media vm JOIN media m ON m.id = vm.media_id
            WHERE vm.workspace_id = \(workspace.uuid) AND vm.variant_id = ANY(\(variants.map(\.uuid))::uuid[])
            ORDER BY vm.variant_id, vm.position
            """,
            logger: database.logger
        )
        var media: [VariantID: [VariantMedia]] = [:]
        for try await (variant, id, mimeType, width, height, size, alt, source) in rows.decode(
            (UUID, UUID, String, Int, Int, Int, String, String?).self
        ) {
            media[VariantID(variant), default: []].append(
                VariantMedia(id: id, mimeType: mimeType, width: width, height: height, byteSize: size, altText: alt, sourceURL: source)
            )
        }
        return media
    }

    /// One stored image's bytes and type (for a vision model, or a connector that uploads it by itself).
    ///
    /// - Throws: ``NotFoundError`` when the workspace has no such image.
    public func image(_ id: UUID) async throws -> (data: Data, mimeType: String) {
        let rows = try await database.client.query(
            "SELECT bytes, mime_type FROM media WHERE workspace_id = \(workspace.uuid) AND id = \(id)",
            logger: database.logger
        )
        for try await (bytes, mimeType) in rows.decode((Data, String).self) { return (bytes, mimeType) }
        throw NotFoundError(kind: "image", id: id.uuidString.lowercased())
    }

    /// Replaces the alt text of a variant's image at `position`, held to the alt-text limits of the variant's channels.
    ///
    /// - Throws: ``NotFoundError`` when the variant has no image there; ``ValidationError`` for empty or too long text.
    public func setAltText(_ text: String, variant: VariantID, position: Int) async throws {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError(field: "alt", reason: "is required (describe the image for people who cannot see it)")
        }
        // The variant's own channels, or its campaign's.
        let rows = try await database.client.query(
            """
            SELECT coalesce(v.channels, (SELECT array_agg(c.kind) FROM channels c WHERE c.campaign_id = v.campaign_id), '{}')
            FROM variants v JOIN variant_media vm ON vm.variant_id = v.id AND vm.position = \(position)
            WHERE v.workspace_id = \(workspace.uuid) AND v.id = \(variant.uuid)
            """,
            logger: database.logger
        )
        var channels: [HeraldCore.Channel]?
        for try await names in rows.decode([String].self) { channels = names.compactMap(HeraldCore.Channel.init(rawValue:)) }
        guard let channels else { throw NotFoundError(kind: "image", id: "\(variant) #\(position + 1)") }
        let limits =
            [(String?.none, VariantImage.maximumAltLength)]
            + channels.compactMap { channel in ChannelMediaRules.standard(for: channel).maximumAltLength.map { (channel.rawValue, $0) } }
        for (channel, limit) in limits where text.count > limit {
            throw ValidationError(
                field: "alt",
                reason: "is \(text.count) characters; \(channel.map { "\($0) takes" } ?? "Herald takes") at most \(limit)"
            )
        }
        try await database.client.query(
            """
            UPDATE variant_media SET alt_text = \(text)
            WHERE workspace_id = \(workspace.uuid) AND variant_id = \(variant.uuid) AND position = \(position)
            """,
            logger: database.logger
        )
    }
}
