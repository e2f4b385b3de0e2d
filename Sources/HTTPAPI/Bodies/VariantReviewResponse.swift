import Foundation
import HeraldCore
import Hummingbird
import Storage

/// A variant's review: `{"id", "campaign", "key", "review", "revision", "approvals_required", "approved_by",
/// "written_by", "generator", "decisions": [{"decision", "comment", "actor", "actor_name", "revision", "decided_at"}]}`.
struct VariantReviewResponse: ResponseEncodable {
    var id: VariantID
    var campaign: String
    var key: String
    /// pending, approved or rejected.
    var review: ReviewState
    var revision: Int
    var approvalsRequired: Int
    var approvedBy: [String]
    var writtenBy: String?
    var generator: String
    var decisions: [ReviewStore.DecisionRecord]

    init(_ review: ReviewStore.Review) {
        id = review.variant
        campaign = review.campaignSlug
        key = review.key
        self.review = review.state
        revision = review.revision
        approvalsRequired = review.approvalsRequired
        approvedBy = review.approvedBy
        writtenBy = review.writtenBy
        generator = review.generator
        decisions = review.decisions
    }

    enum CodingKeys: String, CodingKey {
        case id, campaign, key, review, revision, generator, decisions
        case approvalsRequired = "approvals_required"
        case approvedBy = "approved_by"
        case writtenBy = "written_by"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(campaign, forKey: .campaign)
        try container.encode(key, forKey: .key)
        try container.encode(review, forKey: .review)
        try container.encode(revision, forKey: .revision)
        try container.encode(approvalsRequired, forKey: .approvalsRequired)
        try container.encode(approvedBy, forKey: .approvedBy)
        try container.encode(writtenBy, forKey: .writtenBy)
        try container.encode(generator, forKey: .generator)
        try container.encode(decisions, forKey: .decisions)
    }
}

/// The pending variants: `{"variants": [<review>...]}`.
struct VariantReviewsResponse: ResponseEncodable {
    var variants: [VariantReviewResponse]
}
