/// `POST /v1/campaigns/{campaign}/variants`: `{"key"?, "text"}` (the key defaults to the next free letter).
struct CreateVariantRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case key, text
    }

    var key: String?
    var text: String

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        key = try fields.string(.key)
        text = try fields.requiredString(.text)
    }
}
