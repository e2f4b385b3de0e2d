import Foundation

/// A campaign's autopilot as its file gives it: `autopilot: auto`, or `autopilot: {mode: suggest, rails: {…}}`.
public struct CampaignAutopilot: Sendable, Equatable, Codable {
    public var mode: AutopilotMode
    public var rails: GuardRails

    public init(mode: AutopilotMode, rails: GuardRails = GuardRails()) {
        self.mode = mode
        self.rails = rails
    }

    /// Reads the `autopilot` value of a campaign file (a mode, or a mapping with `mode` and `rails`).
    ///
    /// - Throws: ``ValidationError`` naming `autopilot`, `autopilot.mode` or `autopilot.rails.<rail>`.
    public static func parse(_ value: Any) throws(ValidationError) -> CampaignAutopilot {
        func mode(_ text: Any?, field: String) throws(ValidationError) -> AutopilotMode {
            guard let text = text as? String else { throw ValidationError(field: field, reason: "expected off, suggest or auto") }
            do {
                return try AutopilotMode.parse(text)
            } catch {
                throw ValidationError(field: field, reason: error.reason)
            }
        }
        if let text = value as? String { return CampaignAutopilot(mode: try mode(text, field: "autopilot")) }
        guard let mapping = value as? [String: Any] else {
            throw ValidationError(field: "autopilot", reason: "expected a mode (off, suggest, auto) or a mapping with mode and rails")
        }
        if let unknown = mapping.keys.sorted().first(where: { !["mode", "rails"].contains($0) }) {
            throw ValidationError(field: "autopilot.\(unknown)", reason: "unknown field (expected mode, rails)")
        }
        var autopilot = CampaignAutopilot(mode: try mode(mapping["mode"], field: "autopilot.mode"))
        guard let rails = mapping["rails"], !(rails is NSNull) else { return autopilot }
        guard rails is [String: Any], let data = try? JSONSerialization.data(withJSONObject: rails) else {
            throw ValidationError(field: "autopilot.rails", reason: "expected a mapping of guard rails (\(GuardRails.names.joined(separator: ", ")))")
        }
        do {
            autopilot.rails = try JSONDecoder().decode(GuardRails.self, from: data)
        } catch let error as GuardRailError {
            throw ValidationError(field: "autopilot.rails.\(error.rail)", reason: error.reason)
        } catch {
            throw ValidationError(field: "autopilot.rails", reason: "each guard rail is a number (\(GuardRails.names.joined(separator: ", ")))")
        }
        return autopilot
    }
}
