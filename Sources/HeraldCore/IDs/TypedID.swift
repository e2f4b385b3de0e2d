import Foundation

/// A UUID tagged with the kind of thing it identifies, so a variant id cannot be passed where a campaign id goes.
public protocol TypedID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The underlying database key.
    var uuid: UUID { get }
    init(_ uuid: UUID)
}

extension TypedID {
    /// Parses the canonical text form of a UUID; nil when `string` is not one.
    public init?(_ string: some StringProtocol) {
        guard let uuid = UUID(uuidString: String(string)) else { return nil }
        self.init(uuid)
    }

    /// The lowercase canonical text form, as PostgreSQL prints it.
    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(UUID.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Identifies a workspace (a tenant).
public struct WorkspaceID: TypedID {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
}

/// Identifies a campaign.
public struct CampaignID: TypedID {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
}

/// Identifies a content variant.
public struct VariantID: TypedID {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
}

/// Identifies an engagement event; chosen by the sender, so a retried event is recognised as a duplicate.
public struct EventID: TypedID {
    public let uuid: UUID
    public init(_ uuid: UUID) { self.uuid = uuid }
}
