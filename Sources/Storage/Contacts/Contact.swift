import Foundation
import HeraldCore

/// A stored contact of a workspace.
public struct Contact: Sendable, Equatable, Codable {
    public var id: UUID
    /// The normalised email, if any.
    public var email: String?
    /// The phone in E.164, if any.
    public var phone: String?
    public var name: String?
    /// An IANA time zone, if known.
    public var timeZone: String?
    public var attributes: [String: String]
    public var consent: ConsentState
    /// When the consent last changed.
    public var consentAt: Date
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, email, phone, name, attributes, consent
        case timeZone = "time_zone"
        case consentAt = "consent_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// A contact an audience may write to: subscribed and not suppressed (see ``ContactStore/audience(workspace:list:segment:after:limit:)``).
public struct AudienceMember: Sendable, Equatable, Codable {
    public var id: UUID
    public var email: String?
    public var phone: String?
    public var name: String?
    public var timeZone: String?
    public var attributes: [String: String]

    public init(id: UUID, email: String?, phone: String?, name: String?, timeZone: String?, attributes: [String: String]) {
        self.id = id
        self.email = email
        self.phone = phone
        self.name = name
        self.timeZone = timeZone
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey {
        case id, email, phone, name, attributes
        case timeZone = "time_zone"
    }
}

/// What an import did.
public struct ContactImportResult: Sendable, Equatable, Codable {
    /// Rows read.
    public var rows: Int
    /// New contacts.
    public var inserted: Int
    /// Existing contacts the import updated (merged by address).
    public var updated: Int
    /// Rows merged into another row of the same input (the same address repeated).
    public var skipped: Int

    public init(rows: Int, inserted: Int, updated: Int, skipped: Int) {
        self.rows = rows
        self.inserted = inserted
        self.updated = updated
        self.skipped = skipped
    }
}

/// One change of a contact's consent.
public struct ConsentChange: Sendable, Equatable, Codable {
    public var at: Date
    public var state: ConsentState
    /// Where it came from: `import`, `api`, `cli`, `unsubscribe_page`, `one_click`, `bounce`, `complaint`.
    public var source: String
    public var detail: String?
}

/// Everything Herald holds about one person (`herald contacts export`).
public struct ContactExport: Sendable, Equatable, Codable {
    /// A message sent (or to be sent) to the person.
    public struct Message: Sendable, Equatable, Codable {
        public var id: UUID
        public var campaign: String
        public var variant: String?
        public var channel: String
        public var phase: String
        public var state: String
        public var sendAt: Date
        public var sentAt: Date?
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case id, campaign, variant, channel, phase, state, error
            case sendAt = "send_at"
            case sentAt = "sent_at"
        }
    }

    /// Engagement recorded for one of those messages (opens, clicks, unsubscribes, bounces).
    public struct Event: Sendable, Equatable, Codable {
        public var id: UUID
        public var messageID: UUID
        public var kind: String
        public var occurredAt: Date

        enum CodingKeys: String, CodingKey {
            case id, kind
            case messageID = "message_id"
            case occurredAt = "occurred_at"
        }
    }

    public var contact: Contact
    /// The names of the lists the contact is on.
    public var lists: [String]
    public var consentHistory: [ConsentChange]
    public var messages: [Message]
    public var events: [Event]
    /// Whether the address is on the workspace's suppression list.
    public var suppressed: Bool

    enum CodingKeys: String, CodingKey {
        case contact, lists, messages, events, suppressed
        case consentHistory = "consent_history"
    }
}

/// What an erasure removed, and what it kept without naming the person.
public struct ContactErasure: Sendable, Equatable, Codable {
    /// The erased contact's id (no longer stored anywhere).
    public var contact: UUID
    /// Consent changes deleted.
    public var consentChanges: Int
    /// List memberships deleted.
    public var listMemberships: Int
    /// Messages kept as anonymous counts (no longer linked to anyone, their error text cleared).
    public var messagesAnonymized: Int
    /// Engagement events kept, linked only to those anonymous messages.
    public var eventsKept: Int
    /// Whether the address stays suppressed (its digest kept, never the address).
    public var suppressionKept: Bool

    enum CodingKeys: String, CodingKey {
        case contact
        case consentChanges = "consent_changes"
        case listMemberships = "list_memberships"
        case messagesAnonymized = "messages_anonymized"
        case eventsKept = "events_kept"
        case suppressionKept = "suppression_kept"
    }
}

/// A named list of contacts.
public struct ContactList: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    /// How many contacts are on it.
    public var members: Int
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, members
        case createdAt = "created_at"
    }
}
