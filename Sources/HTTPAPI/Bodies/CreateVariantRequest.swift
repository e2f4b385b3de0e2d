import HeraldCore

/// `POST /v1/campaigns/{campaign}/variants`: `{"key"?, "text", "channels"?, "subject"?, "preheader"?, "body"?, "image"?, "images"?}`
/// (the key defaults to the next free letter; channels to every channel of the campaign; subject is required when it goes out
/// by email; `image` is `{"url", "alt"}`, fetched now, with alt text required).
struct CreateVariantRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case key, text, channels, subject, preheader, body, image, images
    }

    var key: String?
    var text: String
    var channels: [HeraldCore.Channel]?
    var email: EmailContent?
    var images: [VariantImage]

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        key = try fields.string(.key)
        let body = try fields.string(.body)
        guard let text = try fields.string(.text) ?? body else { throw ValidationError(field: "text", reason: "is required") }
        self.text = text
        channels = try fields.strings(.channels).map { names throws(ValidationError) in
            var channels: [HeraldCore.Channel] = []
            for (index, name) in names.enumerated() { channels.append(try HeraldCore.Channel(parsing: name, field: "channels[\(index)]")) }
            return channels
        }
        let subject = try fields.string(.subject)
        let preheader = try fields.string(.preheader)
        if subject != nil || preheader != nil || body != nil {
            guard let subject else { throw ValidationError(field: "subject", reason: "is required with a preheader or body") }
            email = EmailContent(subject: subject, preheader: preheader ?? "", body: body ?? text)
        }
        let image = try fields.decodeIfPresent(JSONValue.self, forKey: .image)
        let list = try fields.decodeIfPresent(JSONValue.self, forKey: .images)
        // Read by the campaign file's parser, so both say the same about a bad image.
        images = try VariantImage.images(image: image?.foundationValue, images: list?.foundationValue, field: "")
    }
}
