import Hummingbird

/// `GET /v1/campaigns/{campaign}/variants`.
struct VariantsResponse: ResponseEncodable {
    var variants: [VariantResponse]
}
