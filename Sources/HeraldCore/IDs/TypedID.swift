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
        guard let uuid = UUIDText.parse(string) else { return nil }
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

/// The canonical text form of UUIDs (`8-4-4-4-12` hex digits, either case), read without Foundation's
/// scanf-based parser, which dominated reading large event files.
public enum UUIDText {
    /// The UUID `text` spells, or nil when it is not exactly the canonical form.
    public static func parse(_ text: some StringProtocol) -> UUID? {
        if let parsed = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) { return parsed }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0) }
    }

    /// The UUID in 36 bytes of canonical text, or nil.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard bytes.count == 36,
            bytes[8] == UInt8(ascii: "-"), bytes[13] == UInt8(ascii: "-"), bytes[18] == UInt8(ascii: "-"), bytes[23] == UInt8(ascii: "-")
        else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var failed = false
        withUnsafeMutableBytes(of: &value) { out in
            var index = 0
            for byte in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 { index += 1 }
                guard let high = TextEncoding.nibble(bytes[index]), let low = TextEncoding.nibble(bytes[index + 1]) else {
                    failed = true
                    return
                }
                out[byte] = high << 4 | low
                index += 2
            }
        }
        return failed ? nil : UUID(uuid: value)
    }
}
