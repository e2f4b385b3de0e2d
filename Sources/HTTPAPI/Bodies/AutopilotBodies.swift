import Autopilot
import Foundation
import HeraldCore
import Storage

/// `PUT /v1/campaigns/{campaign}/autopilot`: `{"mode": "off|suggest|auto", "rails"?: {…}}` (rails left out keep their
/// values; any rail left out of `rails` takes its default).
struct SetAutopilotRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, rails
    }

    var mode: AutopilotMode
    var rails: GuardRails?

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        do {
            mode = try AutopilotMode.parse(try fields.requiredString(.mode))
        } catch let error as GuardRailError {
            throw ValidationError(field: "mode", reason: error.reason)
        }
        guard !fields.isNull(.rails), fields.contains(.rails) else {
            rails = nil
            return
        }
        do {
            rails = try fields.decode(GuardRails.self, forKey: .rails)
        } catch let error as GuardRailError {
            throw ValidationError(field: "rails.\(error.rail)", reason: error.reason)
        } catch {
            throw ValidationError(field: "rails", reason: "must be an object of guard rails (minimum_sample, maximum_shift, …)")
        }
    }
}
