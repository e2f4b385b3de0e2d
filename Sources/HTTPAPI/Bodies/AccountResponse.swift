import Connectors
import Foundation
import Hummingbird
import Storage

/// A connected account as `GET /v1/channels` and `herald channels list --json` show it: `{"name", "kind", "health",
/// "reason", "handle", "base_url", "rate_limited_until"}`, every key written (`null` when empty). Never credentials.
public struct AccountResponse: ResponseEncodable {
    var name: String
    var kind: String
    var health: String
    var reason: String?
    var handle: String?
    var baseURL: String
    var rateLimitedUntil: Date?

    enum CodingKeys: String, CodingKey {
        case name, kind, health, reason, handle
        case baseURL = "base_url"
        case rateLimitedUntil = "rate_limited_until"
    }

    public init(_ account: StoredAccount) {
        name = account.name
        kind = account.kind.rawValue
        health = account.health.rawValue
        reason = account.reason
        handle = account.handle
        baseURL = account.baseURL
        rateLimitedUntil = account.rateLimitedUntil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(health, forKey: .health)
        try container.encode(reason, forKey: .reason)
        try container.encode(handle, forKey: .handle)
        try container.encode(baseURL, forKey: .baseURL)
        try container.encode(rateLimitedUntil, forKey: .rateLimitedUntil)
    }
}
