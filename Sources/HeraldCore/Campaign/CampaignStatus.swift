/// Where a campaign is in its life, and the moves between states that Herald allows.
///
/// | from | to |
/// |---|---|
/// | draft | scheduled (`campaigns start`), ended, archived |
/// | scheduled | running (its first publication), paused, ended |
/// | running | paused, ended (by hand, or when its schedule is over) |
/// | paused | scheduled or running (`campaigns resume`: running once it has published), ended |
/// | ended | archived |
/// | archived | nothing: an archived campaign is kept for its results only |
///
/// Only scheduled and running campaigns publish: a fire of a draft, paused, ended or archived campaign creates no
/// publication, and its queued publications are cancelled when it is paused or ended.
public enum CampaignStatus: String, CaseIterable, Codable, Sendable {
    case draft, scheduled, running, paused, ended, archived

    /// Every state's name, for messages.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether the campaign's fires and publications go out.
    public var publishes: Bool { self == .scheduled || self == .running }

    /// The states this one may move to.
    public var successors: Set<CampaignStatus> {
        switch self {
        case .draft: [.scheduled, .ended, .archived]
        case .scheduled: [.running, .paused, .ended]
        case .running: [.paused, .ended]
        case .paused: [.scheduled, .running, .ended]
        case .ended: [.archived]
        case .archived: []
        }
    }

    /// Whether moving to `next` is allowed.
    public func canMove(to next: CampaignStatus) -> Bool { successors.contains(next) }
}

/// What a person asks of a campaign's lifecycle (`herald campaigns start|pause|resume|end|archive`).
public enum CampaignAction: String, CaseIterable, Codable, Sendable {
    case start, pause, resume, end, archive

    /// Every action's name, for messages.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// The states the action applies to.
    public var allowedFrom: Set<CampaignStatus> {
        switch self {
        case .start: [.draft]
        case .pause: [.scheduled, .running]
        case .resume: [.paused]
        case .end: [.draft, .scheduled, .running, .paused]
        case .archive: [.draft, .ended]
        }
    }

    /// The state the action leads to from `status` (resume returns to running when the campaign has published).
    public func target(from status: CampaignStatus, hasPublished: Bool) -> CampaignStatus {
        switch self {
        case .start: .scheduled
        case .pause: .paused
        case .resume: hasPublished ? .running : .scheduled
        case .end: .ended
        case .archive: .archived
        }
    }

    /// Why the action cannot apply to a campaign in `status`, naming what can.
    public func refusal(from status: CampaignStatus) -> String {
        let possible = CampaignAction.allCases.filter { $0.allowedFrom.contains(status) }.map(\.rawValue)
        let then = possible.isEmpty ? "nothing can change it" : "it can only \(possible.joined(separator: " or "))"
        return "cannot \(rawValue) a campaign that is \(status.rawValue); \(then)"
    }
}
