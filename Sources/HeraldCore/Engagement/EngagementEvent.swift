import Foundation

/// One thing a person did with a published variant: saw it, clicked it, bought.
public struct EngagementEvent: Sendable, Equatable, Hashable {
    /// The sender's id for the event; a second event with the same id is a duplicate.
    public var id: EventID
    /// The variant that was engaged with.
    public var variantID: VariantID
    /// What happened.
    public var kind: EventKind
    /// When it happened.
    public var occurredAt: Date
    /// An amount attached to the event (revenue of a conversion), if any.
    public var value: Double?
    /// The publication (the variant on one channel at one time) engaged with, when known: tracking hits always
    /// know it, batch and CSV rows name it optionally.
    public var publicationID: UUID?
    /// The channel of ``publicationID`` (`x`, `email`…); nil when the publication is not known. Events without a
    /// channel still count for their variant, under the channel `""`.
    public var channel: String?
    /// The audience message (one email or SMS to one contact) engaged with, when the event is per recipient.
    public var messageID: UUID?

    /// An event; `publicationID` and `channel` go together (the ingestor fills the channel from the publication).
    public init(
        id: EventID,
        variantID: VariantID,
        kind: EventKind,
        occurredAt: Date,
        value: Double? = nil,
        publicationID: UUID? = nil,
        channel: String? = nil,
        messageID: UUID? = nil
    ) {
        self.messageID = messageID
        self.id = id
        self.variantID = variantID
        self.kind = kind
        self.occurredAt = occurredAt
        self.value = value
        self.publicationID = publicationID
        self.channel = channel
    }
}

/// The rules an incoming event must meet beyond its shape.
public struct EventAcceptancePolicy: Sendable {
    /// The earliest `occurred_at` accepted.
    public var earliest: Date
    /// The latest `occurred_at` accepted (a little after now, for clock skew).
    public var latest: Date

    /// Events from 2000-01-01 up to `futureSkew` after `now`.
    public init(now: Date, futureSkew: TimeInterval = 86_400) {
        earliest = Date(timeIntervalSince1970: 946_684_800)
        latest = now.addingTimeInterval(futureSkew)
    }

    /// Checks one field set and builds the event; `isKnownVariant` says whether a variant id exists in the workspace.
    public func event(
        id: some StringProtocol,
        variantID: some StringProtocol,
        kind: some StringProtocol,
        occurredAt: some StringProtocol,
        value: (some StringProtocol)?,
        publicationID: (some StringProtocol)? = String?.none,
        isKnownVariant: (VariantID) -> Bool,
        publications: EventPublications = .none
    ) throws(ValidationError) -> EngagementEvent {
        guard let eventID = EventID(id) else {
            throw ValidationError(field: "id", reason: "\"\(id)\" is not a UUID")
        }
        guard let variant = VariantID(variantID) else {
            throw ValidationError(field: "variant_id", reason: "\"\(variantID)\" is not a UUID")
        }
        guard isKnownVariant(variant) else {
            throw ValidationError(
                field: "variant_id",
                reason: "\(variant) is not a variant of this workspace (see `herald campaigns show`)"
            )
        }
        let parsedKind = try EventKind.parse(kind)
        // Whole microseconds, as PostgreSQL keeps them: every later step (storage, rollup hour, partition
        // month) then sees the same instant.
        let parsed = try Timestamp.parse(occurredAt)
        let time = Date(timeIntervalSince1970: (parsed.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
        guard time >= earliest, time <= latest else {
            throw ValidationError(
                field: "occurred_at",
                reason: "\(occurredAt) is outside the accepted range \(Timestamp.format(earliest)) to \(Timestamp.format(latest))"
            )
        }
        var amount: Double?
        if let value, !value.isEmpty {
            guard let number = Double(String(value)), number.isFinite else {
                throw ValidationError(field: "value", reason: "\"\(value)\" is not a finite number")
            }
            amount = number
        }
        var publication: (id: UUID, channel: String)?
        if let publicationID, !publicationID.isEmpty {
            publication = try publications.check(publicationID, variant: variant)
        }
        return EngagementEvent(
            id: eventID,
            variantID: variant,
            kind: parsedKind,
            occurredAt: time,
            value: amount,
            publicationID: publication?.id,
            channel: publication?.channel
        )
    }
}
