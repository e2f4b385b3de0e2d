import Foundation
import HeraldCore
import Storage

/// One publication as `herald publications list --json` prints it:
/// `{"id", "variant", "channel", "account", "state", "text", "tracking_url", "provider_id", "provider_url", "error"}`,
/// and besides the contract's keys `campaign` (its slug), `subject` and `failure_class`.
struct PublicationLine: Encodable {
    var id: String
    /// The campaign's slug.
    var campaign: String?
    /// The variant's key.
    var variant: String
    var channel: String
    /// The connected account it goes out through (none for a dry run or before accounts are connected).
    var account: String?
    /// scheduled, sending, published, failed, cancelled or dry_run (nothing was posted).
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
        case id, campaign, variant, channel, account, state, text, subject, error
        case trackingURL = "tracking_url"
        case providerID = "provider_id"
        case providerURL = "provider_url"
        case failureClass = "failure_class"
    }

    /// Every key of the contract is written, `null` when empty, so scripts can rely on the shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(campaign, forKey: .campaign)
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
        account = publication.accountName
        state = publication.status
        text = publication.text
        subject = publication.subject
        trackingURL = TrackingLink.clickURL(base: publicURL, code: publication.trackingCode)
        providerID = publication.providerID
        providerURL = publication.providerURL
        error = publication.error
        failureClass = publication.failureClass
    }

    init(_ listed: PublicationStore.Listed, publicURL: String) {
        self.init(listed.publication, variantKey: listed.variantKey, publicURL: publicURL)
        campaign = listed.campaignSlug
    }
}
