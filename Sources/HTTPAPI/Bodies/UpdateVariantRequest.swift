import HeraldCore

/// `PATCH /v1/campaigns/{campaign}/variants/{variant}`: `{"text"?, "subject"?, "preheader"?, "body"?}`; what is absent
/// stays as it is. The edited variant goes back to pending review.
struct UpdateVariantRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case text, subject, preheader, body
    }

    var text: String?
    var subject: String?
    var preheader: String?
    var body: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        text = try fields.string(.text)
        subject = try fields.string(.subject)
        preheader = try fields.string(.preheader)
        body = try fields.string(.body)
    }

    /// The email content after the edit (nil when none of its fields is given).
    func email(editing current: EmailContent?) throws(ValidationError) -> EmailContent? {
        guard subject != nil || preheader != nil || body != nil else { return nil }
        guard let subject = subject ?? current?.subject else {
            throw ValidationError(field: "subject", reason: "is required: the variant has no email subject yet")
        }
        return EmailContent(
            subject: subject,
            preheader: preheader ?? current?.preheader ?? "",
            body: body ?? current?.body ?? text ?? ""
        )
    }
}
