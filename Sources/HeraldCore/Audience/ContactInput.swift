import Foundation

/// A contact as an import gives it, checked: an email or a phone (or both), and what else is known.
///
/// Fields left empty stay as they are when the contact already exists; attributes are added to the contact's.
public struct ContactInput: Sendable, Hashable, Codable {
    /// The normalised email, if any.
    public var email: EmailAddress?
    /// The phone in E.164, if any.
    public var phone: PhoneNumber?
    /// The person's name, if given.
    public var name: String?
    /// An IANA time zone, if given.
    public var timeZone: String?
    /// The consent the source states, if it states one (a new contact without one is subscribed).
    public var consent: ConsentState?
    /// Further attributes by name (segments match on them).
    public var attributes: [String: String]
    /// Where it came from: the line of a CSV file or the index of a JSON array (for errors).
    public var line: Int

    /// A checked contact.
    ///
    /// - Throws: ``ValidationError`` when it has neither an email nor a phone, or a time zone that is not IANA.
    public init(
        email: EmailAddress?,
        phone: PhoneNumber?,
        name: String? = nil,
        timeZone: String? = nil,
        consent: ConsentState? = nil,
        attributes: [String: String] = [:],
        line: Int = 0
    ) throws(ValidationError) {
        guard email != nil || phone != nil else {
            throw ValidationError(field: "email", reason: "a contact needs an email or a phone")
        }
        if let timeZone { try TimeZoneName.check(timeZone, field: "time_zone") }
        self.email = email
        self.phone = phone
        self.name = name
        self.timeZone = timeZone
        self.consent = consent
        self.attributes = attributes
        self.line = line
    }

    /// The address the contact is merged on: its email, else its phone.
    public var address: String { email?.normalized ?? phone!.e164 }

    enum CodingKeys: String, CodingKey {
        case email, phone, name, consent, attributes
        case timeZone = "time_zone"
    }

    /// Decodes `{"email", "phone", "name", "time_zone", "consent", "attributes": {...}}`, each key optional but an email
    /// or a phone present; empty strings count as absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String? {
            guard let value = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        try self.init(
            email: try text(.email).map { text throws(ValidationError) in try EmailAddress(parsing: text) },
            phone: try text(.phone).map { text throws(ValidationError) in try PhoneNumber(parsing: text) },
            name: try text(.name),
            timeZone: try text(.timeZone),
            consent: try text(.consent).map { text throws(ValidationError) in try ConsentState(parsing: text) },
            attributes: try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(phone, forKey: .phone)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(timeZone, forKey: .timeZone)
        try container.encodeIfPresent(consent, forKey: .consent)
        try container.encode(attributes, forKey: .attributes)
    }
}
