import Connectors
import Foundation
import Storage

/// One account as `herald channels list --json` prints it: `{"name", "kind", "health", "reason"}` and after those
/// `"handle"`, `"base_url"`, `"rate_limited_until"`; every key is written (`null` when empty). Never credentials.
struct AccountLine: Encodable {
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

    init(_ account: StoredAccount) {
        name = account.name
        kind = account.kind.rawValue
        health = account.health.rawValue
        reason = account.reason
        handle = account.handle
        baseURL = account.baseURL
        rateLimitedUntil = account.rateLimitedUntil
    }

    func encode(to encoder: any Encoder) throws {
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
