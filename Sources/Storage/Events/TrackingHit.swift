import Foundation
import HeraldCore

/// One answered hit of a tracking link or pixel, waiting to be stored (see ``EventIngestor/record(_:database:deduplicator:)``).
///
/// The hit carries its event id from the moment it is answered, so storing it again (a replay of a spool after a
/// crash) stores it once.
public struct TrackingHit: Sendable, Equatable {
    /// Who hit the link, as the deduplicator knows clients.
    public enum Client: Sendable, Equatable {
        /// HMAC-SHA256 of the client under the salt of `day` (`yyyy-MM-dd`, UTC): what is kept when the day's salt is known.
        case salted(day: String, hash: [UInt8])
        /// The client's address and `User-Agent`, kept only until the hit is stored (when the day's salt was not known
        /// yet, e.g. while the database was unreachable).
        case plain(address: String, userAgent: String)
        /// Not needed: deduplication is off (a window of zero).
        case unknown
    }

    /// The event's id (random, made when the hit was answered).
    public var id: EventID
    /// The link's publication; nil for a hit of an audience message's token.
    public var publication: UUID?
    /// The audience message of a recipient token's hit.
    public var message: UUID?
    /// What the hit asked for beyond its kind: for an unsubscribe, where it came from (`one_click`, `unsubscribe_page`).
    public var detail: String?
    public var workspace: WorkspaceID
    public var campaign: CampaignID
    public var variant: VariantID
    /// The publication's channel.
    public var channel: String
    /// A click (`GET /r/{code}`) or an impression (`GET /p/{code}.gif`).
    public var kind: EventKind
    /// When the hit was answered.
    public var occurredAt: Date
    /// Whether a crawler or scanner made it: stored for audit, left out of rollups.
    public var isBot: Bool
    public var client: Client

    /// A hit of `target` of `kind` at `time`.
    public init(id: EventID = EventID(UUID()), target: TrackingTarget, kind: EventKind, at time: Date, isBot: Bool, client: Client) {
        self.init(
            id: id,
            publication: target.publication,
            workspace: target.workspace,
            campaign: target.campaign,
            variant: target.variant,
            channel: target.channel,
            kind: kind,
            at: time,
            isBot: isBot,
            client: client,
            message: target.message
        )
    }

    /// A hit from its stored parts (a spool line).
    public init(
        id: EventID,
        publication: UUID?,
        workspace: WorkspaceID,
        campaign: CampaignID,
        variant: VariantID,
        channel: String,
        kind: EventKind,
        at time: Date,
        isBot: Bool,
        client: Client,
        message: UUID? = nil,
        detail: String? = nil
    ) {
        self.message = message
        self.detail = detail
        self.id = id
        self.publication = publication
        self.workspace = workspace
        self.campaign = campaign
        self.variant = variant
        self.channel = channel
        self.kind = kind
        self.occurredAt = time
        self.isBot = isBot
        self.client = client
    }

    /// What the deduplicator calls the link: a click and an open of one publication are different hits.
    public var link: String { Self.link(kind: kind, publication: publication, message: message) }

    /// The deduplicator's name of a link: its kind and its publication's (or message's) id.
    public static func link(kind: EventKind, publication: UUID?, message: UUID?) -> String {
        "\(kind.rawValue):\((publication ?? message)?.uuidString ?? "")"
    }

    /// The event this hit records.
    var event: EngagementEvent {
        EngagementEvent(
            id: id,
            variantID: variant,
            kind: kind,
            occurredAt: occurredAt,
            publicationID: publication,
            channel: channel,
            messageID: message
        )
    }
}
