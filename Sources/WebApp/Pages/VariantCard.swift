import Foundation
import HeraldCore
import Storage

/// A variant as the review queue and the campaign page show it: its text, channels, review state, content features
/// and provenance (generator, model, prompt, author, who approved and when), and whether this person may decide it.
struct VariantCard {
    struct Feature {
        var name: String
        var value: String
    }

    struct Decision {
        var verb: String
        var who: String
        var iso: String
        var when: String
        var comment: String
        var hasComment: Bool
    }

    var id: String
    var campaignSlug: String
    var campaignName: String
    var key: String
    var channels: String
    var subject: String?
    var text: String
    var state: String
    var generator: String
    var model: String?
    var prompt: String?
    var author: String
    var approvals: String
    var features: [Feature]
    var hasFeatures: Bool
    var decisions: [Decision]
    var hasDecisions: Bool
    /// Whether this person may approve or reject it now (an approver or admin, not its author, not approved by them).
    var canDecide: Bool
    var csrf: String
    /// Where the decision form sends the person back to: `review` or `campaign`.
    var from: String
    /// Whether the card names its campaign (in the review queue, not on the campaign's own page).
    var showCampaign: Bool
    /// The refusal of this person's last decision on it (e.g. a rejection without a comment), and what they typed.
    var problem: String?
    var comment: String

    /// Who people are, by ``AuditActor/reference``: a person's email, else the reference itself.
    struct Names {
        var emails: [String: String]

        init(_ users: [StoredUser]) {
            emails = Dictionary(users.map { ("user:\($0.id.uuidString.lowercased())", $0.email) }, uniquingKeysWith: { first, _ in first })
        }

        func name(_ reference: String?, fallback: String = "") -> String {
            guard let reference else { return fallback }
            return emails[reference] ?? reference
        }
    }

    init(
        variant: Campaign.Variant,
        campaign: Campaign,
        review: ReviewStore.Review?,
        provenance: CampaignStore.Provenance?,
        brief: String?,
        names: Names,
        session: WebSession,
        from: String
    ) {
        id = variant.id.description
        campaignSlug = campaign.slug
        campaignName = campaign.name
        key = variant.key
        channels = variant.channels.map(\.rawValue).joined(separator: ", ")
        subject = variant.email?.subject
        text = variant.text
        state = (review?.state ?? variant.review).rawValue
        let generator = provenance?.generator ?? review?.generator ?? "manual"
        self.generator = generator
        model = generator.hasPrefix("llm:") ? String(generator.dropFirst(4)) : nil
        let generated = generator != "manual"
        prompt = generated ? brief : nil
        let writer = provenance?.writtenBy ?? review?.writtenBy
        author = names.name(writer, fallback: generated ? "the \(generator) generator" : "the operator")
        let approvedBy = review?.approvedBy ?? []
        let required = review?.approvalsRequired ?? 1
        approvals = "\(min(approvedBy.count, required)) of \(required)"
        features = Self.features(provenance?.featuresJSON ?? "{}")
        hasFeatures = !features.isEmpty
        decisions = (review?.decisions ?? []).map { record in
            Decision(
                verb: record.decision == .approve ? "Approved" : "Rejected",
                who: record.actorName.isEmpty ? names.name(record.actor) : record.actorName,
                iso: PageDates.iso(record.decidedAt, in: TimeZone(identifier: "UTC")!),
                when: PageDates.readable(record.decidedAt, in: TimeZone(identifier: "UTC")!),
                comment: record.comment,
                hasComment: !record.comment.isEmpty
            )
        }
        hasDecisions = !decisions.isEmpty
        let me = AuditActor.user(session.user.id, name: session.user.email, role: session.user.role).reference
        canDecide =
            session.user.role.reviews && state == ReviewState.pending.rawValue && writer != me && !approvedBy.contains(me)
        csrf = session.csrfSecret
        self.from = from
        showCampaign = from == "review"
        problem = nil
        comment = ""
    }

    /// The stored features (a JSON object) as name and value, sorted by name.
    static func features(_ json: String) -> [Feature] {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8)) else { return [] }
        return object.keys.sorted().map { Feature(name: $0.replacingOccurrences(of: "_", with: " "), value: describe(object[$0] ?? .null)) }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "none"
        case .bool(let flag): flag ? "yes" : "no"
        case .integer(let number): String(number)
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: String(Int64(number))
        case .number(let number): String(format: "%.2f", number)
        case .string(let text): text
        case .array(let items): items.map(describe).joined(separator: ", ")
        case .object(let fields): fields.keys.sorted().map { "\($0) \(describe(fields[$0] ?? .null))" }.joined(separator: ", ")
        }
    }
}
