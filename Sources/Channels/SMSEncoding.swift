import Foundation

/// How an SMS is encoded, which decides how much fits in one segment.
public enum SMSEncoding: String, Codable, Sendable, Equatable {
    /// The GSM 03.38 7-bit alphabet: 160 septets in one segment, 153 per segment when split.
    case gsm7 = "GSM-7"
    /// Anything outside GSM-7 (most emoji, many accents): 70 UTF-16 units, 67 per segment when split.
    case ucs2 = "UCS-2"

    /// GSM 03.38 basic character set (one septet each).
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    /// The extension table (an escape plus the character: two septets each).
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    /// The encoding a phone uses for `text`.
    public static func of(_ text: String) -> SMSEncoding {
        text.allSatisfy { basic.contains($0) || extended.contains($0) } ? .gsm7 : .ucs2
    }

    /// The text's size in this encoding's units (septets or UTF-16 units) and its segments.
    ///
    /// Segments are filled greedily without splitting an escape pair or a surrogate pair,
    /// as phones do; e.g. 161 GSM-7 septets make 2 segments, 70 UCS-2 units make 1.
    public func measure(_ text: String) -> (units: Int, segments: Int) {
        let single = self == .gsm7 ? 160 : 70
        let part = self == .gsm7 ? 153 : 67
        let costs: [Int] = text.flatMap { character -> [Int] in
            switch self {
            case .gsm7: return [Self.extended.contains(character) ? 2 : 1]
            case .ucs2: return character.unicodeScalars.map { $0.utf16.count }
            }
        }
        let units = costs.reduce(0, +)
        guard units > single else { return (units, units == 0 ? 0 : 1) }
        var segments = 1
        var filled = 0
        for cost in costs {
            if filled + cost > part {
                segments += 1
                filled = 0
            }
            filled += cost
        }
        return (units, segments)
    }
}
