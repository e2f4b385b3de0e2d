import Foundation

/// Renders the whole report model as JSON (snake_case keys, ISO 8601 dates), in the shape that
/// `docs/report.schema.json` describes, and reads it back.
public enum JSONRenderer {
    /// The model as pretty-printed JSON with sorted keys.
    ///
    /// `<`, `>` and `&` (which can only occur inside strings) are written as `\u003c`, `\u003e` and
    /// `\u0026`, so the JSON stays inert even if someone pastes it into an HTML page.
    public static func render(_ report: ReportModel) throws -> String {
        let json = String(decoding: try encoder().encode(report), as: UTF8.self)
        return json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026") + "\n"
    }

    /// The model from its JSON form (e.g. the `report` of a stored analysis).
    public static func decode(_ json: String) throws -> ReportModel {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ReportModel.self, from: Data(json.utf8))
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
