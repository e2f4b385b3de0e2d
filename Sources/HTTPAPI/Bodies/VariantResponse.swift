import HeraldCore
import Hummingbird

/// A content variant of a campaign.
struct VariantResponse: ResponseEncodable {
    var id: VariantID
    var key: String
    var text: String

    init(_ variant: Campaign.Variant) {
        id = variant.id
        key = variant.key
        text = variant.text
    }
}
