import Foundation
import HeraldCore

/// Reading a request body's fields with errors that name the field: "must be a string", "is required".
extension KeyedDecodingContainer {
    /// Whether the field is there and `null`.
    func isNull(_ key: Key) -> Bool {
        contains(key) && (try? decodeNil(forKey: key)) == true
    }

    /// A string field, nil when absent.
    func string(_ key: Key) throws(ValidationError) -> String? {
        guard contains(key) else { return nil }
        guard let text = try? decode(String.self, forKey: key) else { throw ValidationError(field: key.stringValue, reason: "must be a string") }
        return text
    }

    /// A required string field.
    func requiredString(_ key: Key) throws(ValidationError) -> String {
        guard let text = try string(key) else { throw ValidationError(field: key.stringValue, reason: "is required") }
        return text
    }

    /// A list of strings, nil when absent.
    func strings(_ key: Key) throws(ValidationError) -> [String]? {
        guard contains(key) else { return nil }
        guard var list = try? nestedUnkeyedContainer(forKey: key) else {
            throw ValidationError(field: key.stringValue, reason: "must be a list of strings")
        }
        var strings: [String] = []
        while !list.isAtEnd {
            guard let text = try? list.decode(String.self) else {
                throw ValidationError(field: "\(key.stringValue)[\(strings.count)]", reason: "must be a string")
            }
            strings.append(text)
        }
        return strings
    }

    /// A timestamp field (ISO 8601 with an offset), nil when absent or null.
    func timestamp(_ key: Key) throws(ValidationError) -> Date? {
        guard !isNull(key), let text = try string(key) else { return nil }
        do {
            return try Timestamp.parse(text)
        } catch {
            throw ValidationError(field: key.stringValue, reason: error.reason)
        }
    }
}
