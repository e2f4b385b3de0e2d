import Foundation

/// The payload of a `collect_metrics` job: `{"publication_id": "<uuid>", "round": 2}`: read the published post's
/// engagement counts for the `round`-th time (1 to 5 on the decaying schedule: 1 h, 6 h, 24 h, 72 h, 7 d after posting).
public struct CollectMetricsPayload: JobPayload {
    public static let kind = JobKind.collectMetrics

    /// The published publication whose post is read.
    public var publication: UUID
    /// Which collection of the schedule this is, from 1.
    public var round: Int

    public init(publication: UUID, round: Int) {
        self.publication = publication
        self.round = round
    }

    enum CodingKeys: String, CodingKey {
        case publication = "publication_id"
        case round
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        publication = try container.decode(UUID.self, forKey: .publication)
        round = try container.decode(Int.self, forKey: .round)
    }

    /// Writes the id in PostgreSQL's lowercase form, as the other payloads do.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(publication.uuidString.lowercased(), forKey: .publication)
        try container.encode(round, forKey: .round)
    }
}
