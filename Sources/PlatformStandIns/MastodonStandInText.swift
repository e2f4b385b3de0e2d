import Foundation

/// How a Mastodon stand-in turns a status's text into its HTML `content` and counts its length, as Mastodon does
/// (docs.joinmastodon.org `entities/Status#content`, `user/posting#text`): the text escaped, paragraphs in `<p>`, line
/// breaks as `<br />`, each link an `<a href>` whose shown text drops the scheme and is cut after 30 characters; every
/// link counts 23 characters towards the limit, whatever its length.
enum MastodonStandInText {
    /// The status's HTML.
    static func html(_ text: String) -> String {
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").filter { !$0.isEmpty }
        return paragraphs.map { paragraph in
            "<p>" + paragraph.components(separatedBy: "\n").map(linkified).joined(separator: "<br />") + "</p>"
        }.joined()
    }

    /// The length Mastodon checks against its limit: characters (grapheme clusters), each link counted as 23.
    static func length(_ text: String) -> Int {
        var length = text.count
        for link in links(in: text) {
            length += 23 - text[link].count
        }
        return length
    }

    /// The ranges of the `http(s)://` links in `text`, without trailing punctuation.
    static func links(in text: String) -> [Range<String.Index>] {
        var found: [Range<String.Index>] = []
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            guard let scheme = [rest.range(of: "https://"), rest.range(of: "http://")].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound })
            else { break }
            var end = scheme.upperBound
            while end < text.endIndex, !text[end].isWhitespace, !"<>\"".contains(text[end]) { end = text.index(after: end) }
            while end > scheme.upperBound, ".,;:!?')".contains(text[text.index(before: end)]) { end = text.index(before: end) }
            if end > scheme.upperBound { found.append(scheme.lowerBound..<end) }
            index = end > scheme.upperBound ? end : scheme.upperBound
        }
        return found
    }

    /// One line: text escaped, links as anchors.
    private static func linkified(_ line: String) -> String {
        var html = ""
        var cursor = line.startIndex
        for link in links(in: line) {
            html += escaped(String(line[cursor..<link.lowerBound]))
            html += anchor(String(line[link]))
            cursor = link.upperBound
        }
        return html + escaped(String(line[cursor...]))
    }

    /// Mastodon's link markup: the scheme hidden, the rest shown up to 30 characters with an ellipsis.
    private static func anchor(_ url: String) -> String {
        let schemeEnd = url.range(of: "://").map(\.upperBound) ?? url.startIndex
        let scheme = String(url[..<schemeEnd])
        let rest = String(url[schemeEnd...])
        let shown = rest.count > 30 ? String(rest.prefix(30)) : rest
        let hidden = rest.count > 30 ? String(rest.dropFirst(30)) : ""
        let shownClass = rest.count > 30 ? "ellipsis" : ""
        return
            "<a href=\"\(escaped(url))\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible\">\(escaped(scheme))</span>"
            + "<span class=\"\(shownClass)\">\(escaped(shown))</span><span class=\"invisible\">\(escaped(hidden))</span></a>"
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
