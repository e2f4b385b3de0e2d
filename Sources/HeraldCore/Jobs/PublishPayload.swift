import Foundation

/// The payload of a `publish` job: `{"publication_id": "<uuid>"}`.
public struct PublishPayload: JobPayload {
    public static let kind = JobKind.publish

    /// The publication to publish.
    public var publication: UUID

    public init(publication: UUID) {
        self.publication = publication
    }

    enum CodingKeys: String, CodingKey {
        case publication = "publication_id"
    }

    public init(from decoder: any Decoder) throws {
        publication = try decoder.container(keyedBy: CodingKeys.self).decode(UUID.self, forKey: .publication)
    }

    /// Writes the id in PostgreSQL's lowercase form, as stored jobs always had it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(publication.uuidString.lowercased(), forKey: .publication)
    }
}
