/// Escaping of text for HTML and SVG documents.
public enum HTMLEscaping {
    /// Escapes `text` for an HTML or SVG text node or a quoted attribute value.
    ///
    /// Every `&`, `<`, `>`, `"` and `'` becomes an entity, so user text (campaign names, variant
    /// texts) can never open a tag, end an attribute or start a script: it shows as written.
    ///
    /// ```swift
    /// HTMLEscaping.escape("<b>\"hi\"</b>") // "&lt;b&gt;&quot;hi&quot;&lt;/b&gt;"
    /// ```
    ///
    /// - Complexity: O(n) in the length of `text`.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // Control characters other than tab and line breaks are not allowed in HTML text.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
