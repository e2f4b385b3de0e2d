import Foundation
import HeraldCore

extension JSONValue {
    /// The value as Foundation's JSON and YAML readers give it: `NSNull`, `Bool`, `Int`, `Double`, `String`,
    /// `[Any]` and `[String: Any]` (for bodies read by a parser of their own, as a campaign is by
    /// ``HeraldCore/CampaignSpec/init(document:)``).
    var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return value
        case .integer(let value): return Int(value)
        case .number(let value): return value
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationValue)
        case .object(let fields): return fields.mapValues(\.foundationValue)
        }
    }
}
