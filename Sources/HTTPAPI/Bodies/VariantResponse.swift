import HeraldCore
import Hummingbird

/// A content variant of a campaign: `{"id", "key", "text", "channels", "review", "weight"?, "subject"?, "preheader"?, "body"?, "images"?}`.
struct VariantResponse: ResponseEncodable {
    var id: VariantID
    var key: String
    var text: String
    /// The channels it goes to.
    var channels: [HeraldCore.Channel]
    /// pending, approved or rejected: only an approved variant is published.
    var review: ReviewState
    /// Its share of the split among a channel's variants; absent: equal shares.
    var weight: Double?
    var subject: String?
    var preheader: String?
    var body: String?
    /// Its images with their alt text; absent when it has none.
    var images: [VariantMedia]?

    init(_ variant: Campaign.Variant) {
        id = variant.id
        key = variant.key
        text = variant.text
        channels = variant.channels
        review = variant.review
        weight = variant.weight
        subject = variant.email?.subject
        preheader = variant.email?.preheader
        body = variant.email?.body
        images = variant.media.isEmpty ? nil : variant.media
    }
}
