import HeraldCore

/// `POST /v1/campaigns`: a campaign in the shape of the campaign file, as JSON.
///
/// The body is read once, as a JSON value, and checked by ``HeraldCore/CampaignSpec/init(document:)``, the parser
/// of campaign files, so the API and `herald campaigns create` refuse the same input with the same messages.
struct CreateCampaignRequest: Decodable {
    /// The campaign, validated.
    var spec: CampaignSpec

    init(from decoder: any Decoder) throws {
        let document = try JSONValue(from: decoder)
        guard case .object = document else {
            throw APIError.badRequest("the request body must be a JSON object describing the campaign")
        }
        spec = try CampaignSpec(document: document.foundationValue)
    }
}
