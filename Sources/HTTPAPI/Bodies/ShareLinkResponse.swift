import Foundation
import Hummingbird

/// A signed link to reports, and when it stops working.
struct ShareLinkResponse: ResponseEncodable {
    var url: String
    var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case url
        case expiresAt = "expires_at"
    }
}
