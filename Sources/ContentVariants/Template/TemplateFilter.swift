import Foundation

/// A transformation of a slot's value: `{{product | upper}}`.
public enum TemplateFilter: Sendable, Equatable {
    /// UPPER CASE.
    case upper
    /// lower case.
    case lower
    /// The first character in upper case when it is a letter, the rest kept (`grip that holds` → `Grip that holds`).
    case capitalize
    /// The first letter of each word in upper case, the rest kept (`iPhone case` → `IPhone Case`).
    case title
    /// At most `n` characters (grapheme clusters); a cut value ends with `…` within the `n`.
    case truncate(Int)

    /// The filter names a template may use.
    static let names = "upper, lower, capitalize, title, truncate(n)"

    /// Applies the filter.
    public func apply(to value: String) -> String {
        switch self {
        case .upper: return value.uppercased()
        case .lower: return value.lowercased()
        case .capitalize:
            guard let index = value.firstIndex(where: { !$0.isWhitespace }), value[index].isLetter else { return value }
            return value[..<index] + value[index].uppercased() + value[value.index(after: index)...]
        case .title:
            var result = ""
            var atWordStart = true
            for character in value {
                if atWordStart, character.isLetter {
                    result += character.uppercased()
                    atWordStart = false
                } else {
                    result.append(character)
                    if character.isWhitespace || character == "-" { atWordStart = true } else if character.isLetter { atWordStart = false }
                }
            }
            return result
        case .truncate(let limit):
            guard value.count > limit else { return value }
            guard limit > 1 else { return String(value.prefix(limit)) }
            var kept = String(value.prefix(limit - 1))
            while let last = kept.last, last.isWhitespace || last.isPunctuation { kept.removeLast() }
            return kept + "…"
        }
    }
}
