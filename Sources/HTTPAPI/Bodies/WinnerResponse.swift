import Foundation
import HeraldCore
import Hummingbird

/// A test-then-send campaign's recorded winner: `{"campaign", "variant", "variant_id", "chosen_by", "chosen_at", "reason"}`
/// (campaign: its slug; variant: its key).
struct WinnerResponse: ResponseEncodable {
    var campaign: String
    var variant: String
    var variantID: VariantID?
    var chosenBy: String
    var chosenAt: Date
    var reason: String

    enum CodingKeys: String, CodingKey {
        case campaign, variant, reason
        case variantID = "variant_id"
        case chosenBy = "chosen_by"
        case chosenAt = "chosen_at"
    }

    init(_ winner: WinnerChoice, campaign: String) {
        self.campaign = campaign
        variant = winner.variantKey
        variantID = winner.variant
        chosenBy = winner.chosenBy
        chosenAt = winner.chosenAt
        reason = winner.reason
    }
}
