/// Turning `DecodingError` into a ``ValidationError`` that names the field and says what was expected.
extension ValidationError {
    /// Describes a decoding failure in the words of the input: `arms[1].trials: expected an integer`.
    public init(decoding error: any Error, location: String = "") {
        guard let decoding = error as? DecodingError else {
            self.init(location: location, field: "", reason: "\(error)")
            return
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            self.init(location: location, field: Self.path(context.codingPath + [key]), reason: "is required")
        case .typeMismatch(let type, let context):
            self.init(location: location, field: Self.path(context.codingPath), reason: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(location: location, field: Self.path(context.codingPath), reason: "expected \(Self.describe(type)), found null")
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            let reason = context.codingPath.isEmpty ? "not valid JSON\(underlying)" : context.debugDescription
            self.init(location: location, field: Self.path(context.codingPath), reason: reason)
        @unknown default:
            self.init(location: location, field: "", reason: "\(decoding)")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var result = ""
        for key in keys {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}
