import Foundation

/// URL-safe campaign and workspace names: lowercase ASCII letters, digits and single hyphens, at most 63 characters.
public enum Slug {
    /// The longest slug accepted.
    public static let maximumLength = 63

    /// Derives a slug from a display name: `"Trailblazer Spring Sale!"` becomes `trailblazer-spring-sale`.
    ///
    /// Letters with accents lose them; anything else becomes a hyphen; runs of hyphens collapse.
    /// Returns nil when nothing usable remains (e.g. a name of only emoji).
    public static func derive(from name: String) -> String? {
        var result = ""
        var pendingHyphen = false
        for scalar in name.applyingLatinFolding().unicodeScalars {
            let isAlphanumeric = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isAlphanumeric {
                if pendingHyphen && !result.isEmpty { result.append("-") }
                pendingHyphen = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
            if result.count >= maximumLength { break }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return result.isEmpty ? nil : result
    }

    /// Whether `text` is already a valid slug.
    public static func isValid(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= maximumLength else { return false }
        let isLowerAlnum: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        return isLowerAlnum(first) && text.unicodeScalars.allSatisfy { isLowerAlnum($0) || $0 == "-" }
    }
}

extension String {
    /// Lowercased, with diacritics removed (é → e), using only the standard library's normalisation.
    fileprivate func applyingLatinFolding() -> String {
        let decomposed = self.lowercased().decomposedStringWithCanonicalMapping
        return String(String.UnicodeScalarView(decomposed.unicodeScalars.filter { !(0x0300...0x036F).contains($0.value) }))
    }
}
