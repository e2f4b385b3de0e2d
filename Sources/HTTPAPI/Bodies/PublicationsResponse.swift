import Hummingbird

/// `GET /v1/campaigns/{campaign}/publications`.
struct PublicationsResponse: ResponseEncodable {
    var publications: [PublicationResponse]
}
