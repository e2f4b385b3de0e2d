import Foundation

/// A phone number in E.164: `+`, a country code and the number, 7 to 15 digits in all, no spaces.
///
/// Accepts the usual ways of writing one: `+49 30 1234567`, `(+1) 415-555-0100`, `0049 30 1234567` (the
/// international prefix `00` for `+`), `+44 (0)20 7946 0018` (the bracketed trunk prefix dropped). A national number without a country code (`030 1234567`) is refused.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The number in E.164 (`+49301234567`).
    public let e164: String

    /// Parses and normalises a number.
    ///
    /// - Parameter field: The field named in errors.
    /// - Throws: ``ValidationError`` on `field`: no country code (with how to add one), characters that are not
    ///   digits or separators, too few or too many digits.
    public init(parsing text: String, field: String = "phone") throws(ValidationError) {
        let trimmed = text.trimmedOfWhitespace
        guard !trimmed.isEmpty else { throw ValidationError(field: field, reason: "is empty") }
        var digits = ""
        var plus = false
        // `+44 (0)20 …`: the national trunk prefix in brackets is not dialled from abroad.
        let international = trimmed.hasPrefix("+") || trimmed.hasPrefix("00") || trimmed.hasPrefix("(+")
        let written = international ? trimmed.replacingOccurrences(of: "(0)", with: "") : trimmed
        for character in written {
            switch character {
            case "0"..."9": digits.append(character)
            case "+":
                guard digits.isEmpty, !plus else {
                    throw ValidationError(field: field, reason: "\"\(trimmed)\": a + may only come first")
                }
                plus = true
            case " ", "-", ".", "(", ")", "/", "\u{00A0}": continue
            default:
                throw ValidationError(field: field, reason: "\"\(trimmed)\" contains \"\(character)\"; use digits, spaces, - . ( ) and a leading +")
            }
        }
        if !plus {
            guard digits.hasPrefix("00") else {
                throw ValidationError(
                    field: field,
                    reason: "\"\(trimmed)\" has no country code; write it in international form, e.g. +49 30 1234567 or 0049 30 1234567"
                )
            }
            digits.removeFirst(2)
        }
        guard let first = digits.first, first != "0" else {
            throw ValidationError(field: field, reason: "\"\(trimmed)\": a country code does not start with 0")
        }
        guard (7...15).contains(digits.count) else {
            throw ValidationError(field: field, reason: "\"\(trimmed)\" has \(digits.count) digits; E.164 numbers have 7 to 15")
        }
        e164 = "+" + digits
    }

    public var description: String { e164 }

    public init(from decoder: any Decoder) throws {
        self = try PhoneNumber(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}
