/// What autopilot does with a campaign's analysis.
public enum AutopilotMode: String, Sendable, Codable, CaseIterable {
    /// Nothing: the analysis only advises.
    case off
    /// Records the actions it would take as pending, for a person to apply or dismiss.
    case suggest
    /// Applies the actions within the guard rails, each audited and undoable.
    case auto

    /// Parses a mode named in a campaign file, on the command line or in a request.
    public static func parse(_ text: String) throws(GuardRailError) -> AutopilotMode {
        guard let mode = AutopilotMode(rawValue: text.lowercased()) else {
            throw GuardRailError(rail: "mode", reason: "\"\(text)\" is not one of off, suggest, auto")
        }
        return mode
    }
}
