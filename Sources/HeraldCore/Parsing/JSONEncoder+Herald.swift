import Foundation

extension JSONEncoder {
    /// Herald's JSON output, the same for the HTTP API and the CLI's `--json`: keys sorted and spelled as each type's
    /// `CodingKeys` say, `/` unescaped, dates as ``Timestamp/format(_:)`` writes them (`2026-03-01T09:30:00.123Z`).
    ///
    /// - Parameter pretty: Indent the output (for people at a terminal) instead of writing it on one line.
    public static func herald(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .useDefaultKeys
        encoder.dateEncodingStrategy = .timestamp
        return encoder
    }
}
