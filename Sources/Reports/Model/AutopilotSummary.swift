import Foundation

/// What autopilot did with a campaign: its mode, and every action it planned with why, its state and who decided.
public struct AutopilotSummary: Sendable, Equatable, Codable {
    /// One action.
    public struct Action: Sendable, Equatable, Codable {
        public var at: Date
        /// declare_winner, stop_arm, set_split, send_winner_to_rest, queue_challenger, move_schedule.
        public var kind: String
        public var reason: String
        /// pending, applied, dismissed, undone.
        public var state: String
        /// `autopilot`, `cli:<login>` or `token:<name>`; nil while pending.
        public var decidedBy: String?
        public var undoneBy: String?
        /// What it changes (or changed), in a few words: "A 30%, B 70%", "Mon 09:00, Wed 09:00 → Tue 19:00, Thu 19:00".
        public var effect: String?

        public init(at: Date, kind: String, reason: String, state: String, decidedBy: String?, undoneBy: String?, effect: String? = nil) {
            self.at = at
            self.kind = kind
            self.reason = reason
            self.state = state
            self.decidedBy = decidedBy
            self.undoneBy = undoneBy
            self.effect = effect
        }

        /// "applied by autopilot", "pending", "undone by cli:jana"…
        public var stateLine: String {
            if let undoneBy { return "undone by \(undoneBy)" }
            return decidedBy.map { "\(state) by \($0)" } ?? state
        }
    }

    /// off, suggest or auto.
    public var mode: String
    /// Newest first.
    public var actions: [Action]

    public init(mode: String, actions: [Action]) {
        self.mode = mode
        self.actions = actions
    }

    /// One sentence on the mode.
    public var modeLine: String {
        switch mode {
        case "auto": "Autopilot acts on each analysis within its guard rails; every action below can be undone."
        case "suggest": "Autopilot suggests; a person applies or dismisses each action."
        default: "Autopilot is off: the recommendations above are advice only."
        }
    }
}
