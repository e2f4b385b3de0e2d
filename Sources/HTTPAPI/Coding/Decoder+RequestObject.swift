import HeraldCore

extension Decoder {
    /// The request body's JSON object, with only the fields `Keys` names.
    ///
    /// - Throws: ``ValidationError`` on the first unknown field (in sorted order), listing the fields that are known.
    func requestObject<Keys: CodingKey & CaseIterable>(keyedBy keys: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let given = try container(keyedBy: AnyFieldName.self).allKeys.map(\.stringValue)
        let known = Keys.allCases.map(\.stringValue).sorted()
        if let unknown = given.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError(field: unknown, reason: "unknown field (expected one of \(known.joined(separator: ", ")))")
        }
        return try container(keyedBy: Keys.self)
    }
}

/// Any field name of a JSON object, to see which ones a body sends.
private struct AnyFieldName: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
