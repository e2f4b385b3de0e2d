import Foundation

/// The publications that incoming events of a workspace may name (`publication_id`), looked up once per batch:
/// an event naming one must be of the publication's variant, and takes the publication's channel.
public struct EventPublications: Sendable, Equatable {
    /// One publication as events see it.
    public struct Publication: Sendable, Equatable {
        /// The variant that went out.
        public var variant: VariantID
        /// The channel it went out on (`x`, `email`…).
        public var channel: String

        public init(variant: VariantID, channel: String) {
            self.variant = variant
            self.channel = channel
        }
    }

    /// The workspace's publications that the batch may name, by id.
    public var byID: [UUID: Publication]
    /// Variant keys (A, B…) by id, to name variants in errors; ids without a key are named by id.
    public var variantKeys: [VariantID: String]

    /// Publications by id, with the keys of the variants errors may name.
    public init(_ byID: [UUID: Publication] = [:], variantKeys: [VariantID: String] = [:]) {
        self.byID = byID
        self.variantKeys = variantKeys
    }

    /// No publications: a row that names one is refused.
    public static let none = EventPublications()

    /// The publication `text` names, when it is one of these and of `variant`.
    ///
    /// - Throws: ``ValidationError`` on `publication_id`: not a UUID, not a publication of this workspace (an
    ///   unknown id and another workspace's publication are told alike), or a publication of another variant.
    public func check(_ text: some StringProtocol, variant: VariantID) throws(ValidationError) -> (id: UUID, channel: String) {
        guard let id = UUIDText.parse(text) else {
            throw ValidationError(field: "publication_id", reason: "\"\(text)\" is not a UUID")
        }
        guard let publication = byID[id] else {
            throw ValidationError(
                field: "publication_id",
                reason: "\(id.uuidString.lowercased()) is not a publication of this workspace (see `herald publications list`)"
            )
        }
        guard publication.variant == variant else {
            throw ValidationError(
                field: "publication_id",
                reason: "\(id.uuidString.lowercased()) is a publication of variant \(name(publication.variant)), not of \(name(variant))"
            )
        }
        return (id, publication.channel)
    }

    /// A variant's key when known, else its id.
    func name(_ variant: VariantID) -> String {
        variantKeys[variant] ?? variant.description
    }
}
