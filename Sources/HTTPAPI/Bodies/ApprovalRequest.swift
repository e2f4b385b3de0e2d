import HeraldCore
import Storage

/// `POST /v1/variants/{variant}/approval`: `{"decision": "approve"|"reject", "comment"?}` (a rejection needs a comment).
struct ApprovalRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case decision, comment
    }

    var decision: ReviewStore.Decision
    var comment: String?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        decision = try ReviewStore.Decision(parsing: try fields.requiredString(.decision))
        comment = fields.isNull(.comment) ? nil : try fields.string(.comment)
    }
}
