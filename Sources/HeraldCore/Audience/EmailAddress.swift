import Foundation

/// An email address as Herald stores it: trimmed, the local part as given, the domain in lower case and ASCII
/// (an internationalised domain as its `xn--` Punycode labels).
///
/// ```swift
/// try EmailAddress(parsing: " Jana.Novak@Bücher.Example ").normalized   // "Jana.Novak@xn--bcher-kva.example"
/// ```
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The normalised address.
    public let normalized: String

    /// Parses and normalises an address.
    ///
    /// - Parameter field: The field named in errors (`email`, `contacts[3].email`).
    /// - Throws: ``ValidationError`` on `field` saying what is wrong (no `@`, an empty part, a bad domain).
    public init(parsing text: String, field: String = "email") throws(ValidationError) {
        let trimmed = text.trimmedOfWhitespace
        guard !trimmed.isEmpty else { throw ValidationError(field: field, reason: "is empty") }
        guard let at = trimmed.lastIndex(of: "@") else {
            throw ValidationError(field: field, reason: "\"\(trimmed)\" is not an email address (no @)")
        }
        let local = String(trimmed[..<at])
        let domain = String(trimmed[trimmed.index(after: at)...])
        guard !local.isEmpty else { throw ValidationError(field: field, reason: "\"\(trimmed)\" has nothing before the @") }
        guard local.utf8.count <= 64 else {
            throw ValidationError(field: field, reason: "\"\(trimmed)\": the part before the @ is longer than 64 bytes")
        }
        guard !local.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
            local.utf8.allSatisfy({ $0 < 0x80 })
                || !local.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw ValidationError(field: field, reason: "\"\(trimmed)\" contains a space or control character before the @")
        }
        guard !domain.isEmpty else { throw ValidationError(field: field, reason: "\"\(trimmed)\" has no domain after the @") }
        let ascii = try Self.asciiDomain(domain, address: trimmed, field: field)
        let address = local + "@" + ascii
        guard address.utf8.count <= 254 else { throw ValidationError(field: field, reason: "\"\(trimmed)\" is longer than 254 bytes") }
        normalized = address
    }

    /// The domain in lower case and ASCII; each label 1 to 63 letters, digits or hyphens, not starting or ending with
    /// a hyphen; at least two labels.
    static func asciiDomain(_ domain: String, address: String, field: String) throws(ValidationError) -> String {
        // Most domains are ASCII already; only others need Unicode normalisation (NFC) before Punycode.
        let isASCII = domain.utf8.allSatisfy { $0 < 0x80 }
        let lowered = isASCII ? domain.lowercased() : domain.precomposedStringWithCanonicalMapping.lowercased()
        let labels = lowered.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else {
            throw ValidationError(field: field, reason: "\"\(address)\": the domain \"\(domain)\" needs a dot (e.g. example.com)")
        }
        var ascii: [String] = []
        ascii.reserveCapacity(labels.count)
        for label in labels {
            // Unicode's full-width and ideographic dots also separate labels in IDNA; they are rare in lists, so
            // they are refused rather than mapped.
            guard !label.isEmpty else {
                throw ValidationError(field: field, reason: "\"\(address)\": the domain \"\(domain)\" has an empty label")
            }
            guard let converted = Punycode.asciiLabel(String(label)) else {
                throw ValidationError(field: field, reason: "\"\(address)\": the domain label \"\(label)\" cannot be converted to ASCII")
            }
            guard converted.utf8.count <= 63,
                converted.utf8.allSatisfy({ isLetterDigitHyphen($0) }),
                converted.first != "-", converted.last != "-"
            else {
                throw ValidationError(
                    field: field,
                    reason: "\"\(address)\": the domain label \"\(label)\" must be letters, digits and inner hyphens, at most 63 bytes"
                )
            }
            ascii.append(converted)
        }
        return ascii.joined(separator: ".")
    }

    private static func isLetterDigitHyphen(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-")
    }

    public var description: String { normalized }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try EmailAddress(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(normalized)
    }
}
