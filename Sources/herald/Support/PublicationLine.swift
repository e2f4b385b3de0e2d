import Foundation
import HeraldCore
import Storage

/// One publication as `herald publications list --json` prints it:
/// `{"id", "variant", "channel", "account", "state", "text", "tracking_url", "provider_id", "provider_url", "error"}`.
struct PublicationLine: Encodable {
    var id: String
    /// The variant's key.
    var variant: String
    var channel: String
    /// The connected account it goes out through (none until accounts are connected).
    var account: String?
    var state: String
    /// What goes out, rendered for the channel (an email's plain-text part).
    var text: String
    var subject: String?
    var trackingURL: String
    var providerID: String?
    var providerURL: String?
    var error: String?
    /// Why it failed: transient, rate_limited, auth, rejected_content, unknown_outcome, rules, no_account.
    var failureClass: String?

    enum CodingKeys: String, CodingKey {
        case id, variant, channel, account, state, text, subject, error
        case trackingURL = "tracking_url"
        case providerID = "provider_id"
        case providerURL = "provider_url"
        case failureClass = "failure_class"
    }

    /// Every key of the contract is written, `null` when empty, so scripts can rely on the shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(variant, forKey: .variant)
        try container.encode(channel, forKey: .channel)
        try container.encode(account, forKey: .account)
        try container.encode(state, forKey: .state)
        try container.encode(text, forKey: .text)
        try container.encode(subject, forKey: .subject)
        try container.encode(trackingURL, forKey: .trackingURL)
        try container.encode(providerID, forKey: .providerID)
        try container.encode(providerURL, forKey: .providerURL)
        try container.encode(error, forKey: .error)
        try container.encode(failureClass, forKey: .failureClass)
    }

    init(_ publication: Publication, variantKey: String, publicURL: String) {
        id = publication.id.uuidString.lowercased()
        variant = variantKey
        channel = publication.channel
        state = publication.status
        text = publication.text
        subject = publication.subject
        trackingURL = TrackingLink.clickURL(base: publicURL, code: publication.trackingCode)
        error = publication.error
        account = publication.accountName
        providerID = publication.providerID
        providerURL = publication.providerURL
        failureClass = publication.failureClass
    }
}
