import Foundation

/// One lifecycle event as webhooks receive it: `{"id", "type", "created_at", "data": {...}}`.
///
/// A publication event's data is `{"publication": {"id", "campaign", "variant", "channel", "account", "state",
/// "provider_id", "provider_url", "error", "failure_class"}}` (campaign: its slug; variant: its key; account: the
/// connected account's name); `account.needs_reconnect`'s is `{"account": {"name", "kind", "health", "reason"}}`.
/// Every key is written, `null` when empty. The id stays the same for every delivery of one event (it is sent as
/// `Idempotency-Key`), so a receiver keeps the first and drops repeats.
public struct LifecycleEvent: Sendable, Equatable {
    /// A publication as its events show it.
    public struct Publication: Sendable, Equatable, Codable {
        public var id: UUID
        /// The campaign's slug.
        public var campaign: String
        /// The variant's key.
        public var variant: String
        public var channel: String
        /// The connected account's name (nil: none, e.g. a dry run).
        public var account: String?
        public var state: String
        public var providerID: String?
        public var providerURL: String?
        /// The platform's own message, or why it could not go out.
        public var error: String?
        /// transient, rate_limited, auth, rejected_content, unknown_outcome, rules or no_account.
        public var failureClass: String?

        public init(
            id: UUID,
            campaign: String,
            variant: String,
            channel: String,
            account: String?,
            state: String,
            providerID: String?,
            providerURL: String?,
            error: String?,
            failureClass: String?
        ) {
            self.id = id
            self.campaign = campaign
            self.variant = variant
            self.channel = channel
            self.account = account
            self.state = state
            self.providerID = providerID
            self.providerURL = providerURL
            self.error = error
            self.failureClass = failureClass
        }

        enum CodingKeys: String, CodingKey {
            case id, campaign, variant, channel, account, state, error
            case providerID = "provider_id"
            case providerURL = "provider_url"
            case failureClass = "failure_class"
        }

        /// Every key, `null` when empty.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id.uuidString.lowercased(), forKey: .id)
            try container.encode(campaign, forKey: .campaign)
            try container.encode(variant, forKey: .variant)
            try container.encode(channel, forKey: .channel)
            try container.encode(account, forKey: .account)
            try container.encode(state, forKey: .state)
            try container.encode(providerID, forKey: .providerID)
            try container.encode(providerURL, forKey: .providerURL)
            try container.encode(error, forKey: .error)
            try container.encode(failureClass, forKey: .failureClass)
        }
    }

    /// An account as its events show it (never its credentials).
    public struct Account: Sendable, Equatable, Codable {
        public var name: String
        /// mastodon, bluesky, x, linkedin or webhook.
        public var kind: String
        /// ok, rate_limited or needs_reconnect.
        public var health: String
        /// Why (the platform's message).
        public var reason: String?

        public init(name: String, kind: String, health: String, reason: String?) {
            self.name = name
            self.kind = kind
            self.health = health
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey { case name, kind, health, reason }

        /// Every key, `null` when empty.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(kind, forKey: .kind)
            try container.encode(health, forKey: .health)
            try container.encode(reason, forKey: .reason)
        }
    }

    /// What the event is about.
    public enum Subject: Sendable, Equatable {
        case publication(Publication)
        case account(Account)
    }

    public var id: UUID
    public var type: LifecycleEventType
    public var createdAt: Date
    public var subject: Subject

    public init(id: UUID, type: LifecycleEventType, createdAt: Date, subject: Subject) {
        self.id = id
        self.type = type
        self.createdAt = createdAt
        self.subject = subject
    }

    /// The body webhooks receive: one line of JSON, keys sorted, dates as ``Timestamp`` writes them.
    public func json() throws -> String {
        String(decoding: try JSONEncoder.herald().encode(Body(self)), as: UTF8.self)
    }

    /// The JSON shape of an event.
    struct Body: Encodable {
        struct Data: Encodable {
            var publication: Publication?
            var account: Account?
        }

        var id: String
        var type: String
        var createdAt: Date
        var data: Data

        enum CodingKeys: String, CodingKey {
            case id, type, data
            case createdAt = "created_at"
        }

        init(_ event: LifecycleEvent) {
            id = event.id.uuidString.lowercased()
            type = event.type.rawValue
            createdAt = event.createdAt
            switch event.subject {
            case .publication(let publication): data = Data(publication: publication)
            case .account(let account): data = Data(account: account)
            }
        }
    }
}
