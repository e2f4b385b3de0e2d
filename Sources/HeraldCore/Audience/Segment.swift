import Foundation

/// A simple audience segment: contacts whose attributes have the given values and, optionally, whose time zone is
/// the given one. An empty segment matches everyone.
///
/// As JSON: `{"attribute": {"plan": "pro"}, "time_zone": "Europe/Berlin"}` (both keys optional); on the command line:
/// `--where plan=pro --time-zone Europe/Berlin`.
public struct Segment: Sendable, Hashable, Codable {
    /// Attribute names and the value each must equal.
    public var attributes: [String: String]
    /// The IANA time zone contacts must be in, if any.
    public var timeZone: String?

    /// A segment of attribute equalities and an optional time zone.
    ///
    /// - Throws: ``ValidationError`` on `time_zone` for a zone that is not an IANA time zone.
    public init(attributes: [String: String] = [:], timeZone: String? = nil) throws(ValidationError) {
        if let timeZone { try TimeZoneName.check(timeZone, field: "time_zone") }
        self.attributes = attributes
        self.timeZone = timeZone
    }

    /// A segment from the command line: `key=value` conditions (`--where`) and a time zone.
    ///
    /// - Throws: ``ValidationError`` on `--where` for a condition without `=` or with an empty name, on
    ///   `--time-zone` for an unknown zone.
    public init(conditions: [String], timeZone: String?) throws(ValidationError) {
        var attributes: [String: String] = [:]
        for condition in conditions {
            guard let equals = condition.firstIndex(of: "=") else {
                throw ValidationError(field: "--where", reason: "\"\(condition)\" must be name=value (e.g. plan=pro)")
            }
            let name = condition[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError(field: "--where", reason: "\"\(condition)\" has no attribute name before =") }
            attributes[name] = String(condition[condition.index(after: equals)...])
        }
        if let timeZone { try TimeZoneName.check(timeZone, field: "--time-zone") }
        self.attributes = attributes
        self.timeZone = timeZone
    }

    /// Whether the segment matches everyone.
    public var isEmpty: Bool { attributes.isEmpty && timeZone == nil }

    enum CodingKeys: String, CodingKey {
        case attributes = "attribute"
        case timeZone = "time_zone"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let attributes = try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        let timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        try self.init(attributes: attributes, timeZone: timeZone)
    }

    /// Parses a segment from its JSON object.
    ///
    /// - Throws: ``ValidationError`` naming what is wrong (not an object, a value that is not a string, an unknown zone).
    public init(json: [UInt8]) throws(ValidationError) {
        do {
            self = try JSONDecoder().decode(Segment.self, from: Data(json))
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError(
                field: "segment",
                reason: "must be an object like {\"attribute\": {\"plan\": \"pro\"}, \"time_zone\": \"Europe/Berlin\"} with string values"
            )
        }
    }
}

/// IANA time zone names, checked against the system's zone database.
public enum TimeZoneName {
    /// Checks that `name` is an IANA time zone (`Europe/Berlin`, `UTC`).
    ///
    /// - Throws: ``ValidationError`` on `field` when it is not.
    public static func check(_ name: String, field: String) throws(ValidationError) {
        guard TimeZone(identifier: name) != nil, !name.isEmpty else {
            throw ValidationError(field: field, reason: "\"\(name)\" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)")
        }
    }
}
