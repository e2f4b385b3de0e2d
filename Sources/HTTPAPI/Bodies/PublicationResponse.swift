import Foundation
import HeraldCore
import Hummingbird
import Storage

/// A publication as the API shows it, with its tracking link and pixel, and where it went (its account, the provider's
/// post id and URL) or why it failed.
struct PublicationResponse: ResponseEncodable {
    var id: UUID
    /// The campaign's slug and the variant's key (in workspace-wide listings).
    var campaign: String?
    var variant: String?
    var variantID: VariantID
    var channel: String
    var scheduledAt: Date
    /// scheduled, sending, published, failed, cancelled or dry_run (nothing was posted).
    var status: String
    /// The connected account it goes out through.
    var account: String?
    var providerID: String?
    var providerURL: String?
    /// transient, rate_limited, auth, rejected_content, unknown_outcome, rules or no_account.
    var failureClass: String?
    var trackingCode: String
    /// What goes out: the variant rendered for the channel, its links the tracking link (an email's plain-text part).
    var text: String
    var subject: String?
    /// For channels that split an audience: the share of it this publication reaches.
    var audienceShare: Double?
    /// Why it failed or was cancelled.
    var error: String?
    /// The tracking link: records a click and redirects to the campaign's destination.
    var clickURL: String
    /// The tracking pixel: records an impression.
    var pixelURL: String

    enum CodingKeys: String, CodingKey {
        case id, campaign, variant, channel, status, account, text, subject, error
        case providerID = "provider_id"
        case providerURL = "provider_url"
        case failureClass = "failure_class"
        case audienceShare = "audience_share"
        case variantID = "variant_id"
        case scheduledAt = "scheduled_at"
        case trackingCode = "tracking_code"
        case clickURL = "click_url"
        case pixelURL = "pixel_url"
    }

    /// - Parameter base: Where this service is reached (no trailing slash), for the tracking link and pixel.
    init(_ publication: Publication, base: String) {
        id = publication.id
        variantID = publication.variant
        channel = publication.channel
        scheduledAt = publication.scheduledAt
        status = publication.status
        account = publication.accountName
        providerID = publication.providerID
        providerURL = publication.providerURL
        failureClass = publication.failureClass
        trackingCode = publication.trackingCode
        text = publication.text
        subject = publication.subject
        audienceShare = publication.audienceShare
        error = publication.error
        clickURL = TrackingLink.clickURL(base: base, code: publication.trackingCode)
        pixelURL = TrackingLink.pixelURL(base: base, code: publication.trackingCode)
    }

    /// A publication of a workspace-wide listing, with its campaign's slug and its variant's key.
    init(_ listed: PublicationStore.Listed, base: String) {
        self.init(listed.publication, base: base)
        campaign = listed.campaignSlug
        variant = listed.variantKey
    }
}
