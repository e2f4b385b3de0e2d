import Foundation

/// Validates JSON values against the subset of JSON Schema (draft 2020-12) that Herald's committed
/// schemas use: `type` (one or a list), `properties`, `required`, `additionalProperties` (false or
/// a schema), `items`, `minItems`, `maxItems`, `enum`, `const`, `minimum`, `maximum`, `minLength`,
/// `pattern`, `format: date-time`, and `$ref` to `#/$defs/<name>`.
///
/// An unknown keyword is an error rather than silently ignored, so the schema cannot claim
/// more than this validator checks.
public struct JSONSchemaValidator {
    /// The keywords this validator understands; annotations (`title`, `description`, ...) are allowed and ignored.
    static let known: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "enum", "const", "minimum",
        "maximum", "minLength", "pattern", "format", "$ref", "$defs", "$schema", "$id", "title", "description", "examples",
    ]

    let root: [String: Any]

    /// - Parameter schema: The schema document (JSON text).
    public init(schema: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: schema) as? [String: Any] else {
            throw SchemaError(path: "$schema", message: "the schema is not a JSON object")
        }
        self.root = root
    }

    /// A place where the instance does not match the schema.
    public struct SchemaError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Every mismatch of `instance` (JSON text) against the schema; empty when it is valid.
    public func validate(_ instance: Data) throws -> [SchemaError] {
        let value = try JSONSerialization.jsonObject(with: instance, options: [.fragmentsAllowed])
        var errors: [SchemaError] = []
        check(value, against: root, path: "$", errors: &errors)
        return errors
    }

    func check(_ value: Any, against schema: [String: Any], path: String, errors: inout [SchemaError]) {
        for keyword in schema.keys where !Self.known.contains(keyword) {
            errors.append(SchemaError(path: path, message: "schema keyword \(keyword) is not supported by the test validator"))
        }
        if let reference = schema["$ref"] as? String {
            let prefix = "#/$defs/"
            guard reference.hasPrefix(prefix), let definitions = root["$defs"] as? [String: Any],
                let target = definitions[String(reference.dropFirst(prefix.count))] as? [String: Any]
            else {
                errors.append(SchemaError(path: path, message: "unresolvable $ref \(reference)"))
                return
            }
            check(value, against: target, path: path, errors: &errors)
        }
        if let type = schema["type"] {
            let allowed = (type as? [String]) ?? [(type as? String) ?? ""]
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                errors.append(SchemaError(path: path, message: "expected \(allowed.joined(separator: " or ")), found \(Self.typeName(value))"))
                return
            }
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
            errors.append(SchemaError(path: path, message: "\(value) is not one of \(options)"))
        }
        if let constant = schema["const"], !Self.equal(constant, value) {
            errors.append(SchemaError(path: path, message: "\(value) is not \(constant)"))
        }
        if let number = Self.number(value) {
            if let minimum = schema["minimum"].flatMap(Self.number), number < minimum {
                errors.append(SchemaError(path: path, message: "\(number) is below the minimum \(minimum)"))
            }
            if let maximum = schema["maximum"].flatMap(Self.number), number > maximum {
                errors.append(SchemaError(path: path, message: "\(number) is above the maximum \(maximum)"))
            }
        }
        if let string = value as? String {
            if let minimum = schema["minLength"] as? Int, string.count < minimum {
                errors.append(SchemaError(path: path, message: "shorter than \(minimum) characters"))
            }
            if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil {
                errors.append(SchemaError(path: path, message: "\"\(string)\" does not match \(pattern)"))
            }
            if schema["format"] as? String == "date-time", (try? Date(string, strategy: .iso8601)) == nil {
                errors.append(SchemaError(path: path, message: "\"\(string)\" is not an RFC 3339 date-time"))
            }
        }
        if let array = value as? [Any], !(value is [String: Any]) {
            if let minimum = schema["minItems"] as? Int, array.count < minimum {
                errors.append(SchemaError(path: path, message: "\(array.count) items, fewer than \(minimum)"))
            }
            if let maximum = schema["maxItems"] as? Int, array.count > maximum {
                errors.append(SchemaError(path: path, message: "\(array.count) items, more than \(maximum)"))
            }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { check(item, against: items, path: "\(path)[\(index)]", errors: &errors) }
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                errors.append(SchemaError(path: path, message: "missing required property \(name)"))
            }
            for (name, member) in object {
                if let property = properties[name] as? [String: Any] {
                    check(member, against: property, path: "\(path).\(name)", errors: &errors)
                } else if let additional = schema["additionalProperties"] {
                    if additional as? Bool == false {
                        errors.append(SchemaError(path: "\(path).\(name)", message: "property is not allowed by the schema"))
                    } else if let additionalSchema = additional as? [String: Any] {
                        check(member, against: additionalSchema, path: "\(path).\(name)", errors: &errors)
                    }
                }
            }
        }
    }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "boolean": return isBoolean(value)
        case "integer":
            guard !isBoolean(value), let number = number(value) else { return false }
            return number == number.rounded()
        case "number": return !isBoolean(value) && number(value) != nil
        case "string": return value is String
        case "array": return value is [Any] && !(value is [String: Any])
        case "object": return value is [String: Any]
        default: return false
        }
    }

    /// Whether JSONSerialization parsed `value` from `true` or `false` (a boolean NSNumber, on Linux and Darwin alike).
    static func isBoolean(_ value: Any) -> Bool {
        String(describing: type(of: value)).contains("Boolean")
    }

    static func number(_ value: Any) -> Double? {
        guard !(value is String), !isBoolean(value), let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }

    static func typeName(_ value: Any) -> String {
        for type in ["null", "boolean", "integer", "number", "string", "array", "object"] where matches(value, type: type) { return type }
        return "unknown"
    }

    static func equal(_ lhs: Any, _ rhs: Any) -> Bool {
        if let left = lhs as? String, let right = rhs as? String { return left == right }
        if let left = number(lhs), let right = number(rhs), isBoolean(lhs) == isBoolean(rhs) { return left == right }
        if isBoolean(lhs), isBoolean(rhs) { return (lhs as? Bool) == (rhs as? Bool) }
        return lhs is NSNull && rhs is NSNull
    }
}
