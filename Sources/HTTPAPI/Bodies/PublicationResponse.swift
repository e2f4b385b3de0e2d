import Foundation
import HeraldCore
import Hummingbird
import Storage

/// A publication as the API shows it, with its tracking link and pixel.
struct PublicationResponse: ResponseEncodable {
    var id: UUID
    var variantID: VariantID
    var channel: String
    var scheduledAt: Date
    var status: String
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
        case id, channel, status, text, subject, error
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
        trackingCode = publication.trackingCode
        text = publication.text
        subject = publication.subject
        audienceShare = publication.audienceShare
        error = publication.error
        clickURL = TrackingLink.clickURL(base: base, code: publication.trackingCode)
        pixelURL = TrackingLink.pixelURL(base: base, code: publication.trackingCode)
    }
}
