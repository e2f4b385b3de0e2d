import Foundation

/// Finds the links, mentions and hashtags in a post's text and turns them into Bluesky facets with UTF-8 byte offsets.
///
/// Follows docs.bsky.app "Links, mentions, and rich text" (advanced-guides/post-richtext), the lexicon
/// `app.bsky.richtext.facet`, and the detection rules of the reference client (`@atproto/api` rich-text detection):
/// - a link starts at the beginning of the text, after white space or after `(`, with `http://` or `https://`, and runs
///   to the next white space; one trailing `.,;!?` is left out, and a trailing `)` when the link has no `(`;
/// - a mention is `@handle` in the same places, the handle in the atproto handle syntax (dot-separated labels of
///   letters, digits and `-`, the last starting with a letter); it becomes a facet only when the handle resolves to a
///   DID (`com.atproto.identity.resolveHandle`), otherwise it stays plain text;
/// - a hashtag is `#` (or `＃`) at the beginning or after white space, followed by characters up to the next white
///   space or zero-width character, with at least one that is not a digit or punctuation; trailing punctuation is left
///   out and the tag (without `#`) has at most 64 graphemes.
///
/// Bare domains without a scheme (`example.com`) are not linked (that needs the list of top-level domains; Herald's
/// posts carry full tracking URLs). Facets come out sorted by position and never overlap, as the API requires.
///
/// - Complexity: O(n) in the text's length.
public enum BlueskyFacets {
    /// A link, mention or hashtag found in a text, before its mention (if any) is resolved.
    public struct Span: Sendable, Equatable {
        /// What was found.
        public enum Kind: Sendable, Equatable {
            case link(uri: String)
            /// The handle, without `@`.
            case mention(handle: String)
            /// The tag, without `#`.
            case tag(String)
        }

        public var kind: Kind
        /// Byte offsets in the UTF-8 encoded text (start inclusive, end exclusive).
        public var byteStart: Int
        public var byteEnd: Int
    }

    /// The links, mentions and hashtags in `text`, in order.
    ///
    /// ```swift
    /// BlueskyFacets.spans(in: "café #tag") // [.tag("tag") at bytes 6..<10]
    /// ```
    public static func spans(in text: String) -> [Span] {
        let scalars = Array(text.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)

        var spans: [Span] = []
        var i = 0
        while i < scalars.count {
            let afterSpace = i == 0 || isSpace(scalars[i - 1])
            let afterSpaceOrParen = afterSpace || scalars[i - 1] == "("
            if afterSpaceOrParen, let end = link(in: scalars, at: i) {
                var stop = end
                var uri = String(String.UnicodeScalarView(scalars[i..<stop]))
                if let last = uri.unicodeScalars.last, ".,;!?".unicodeScalars.contains(last) {
                    stop -= 1
                    uri = String(String.UnicodeScalarView(scalars[i..<stop]))
                }
                if uri.hasSuffix(")"), !uri.contains("(") {
                    stop -= 1
                    uri = String(String.UnicodeScalarView(scalars[i..<stop]))
                }
                spans.append(Span(kind: .link(uri: uri), byteStart: offsets[i], byteEnd: offsets[stop]))
                i = end
                continue
            }
            if afterSpaceOrParen, scalars[i] == "@", let end = mention(in: scalars, at: i) {
                let handle = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
                spans.append(Span(kind: .mention(handle: handle), byteStart: offsets[i], byteEnd: offsets[end]))
                i = end
                continue
            }
            if afterSpace, scalars[i] == "#" || scalars[i] == "\u{FF03}", let (end, runEnd) = tag(in: scalars, at: i) {
                let tag = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
                spans.append(Span(kind: .tag(tag), byteStart: offsets[i], byteEnd: offsets[end]))
                i = runEnd
                continue
            }
            i += 1
        }
        return spans
    }

    /// The facets of `text`, with each mention's handle looked up in `dids` (handle → DID, handles in lower case);
    /// a mention whose handle is not there stays plain text.
    public static func facets(in text: String, dids: [String: String] = [:]) -> [BlueskyFacet] {
        facets(for: spans(in: text), dids: dids)
    }

    /// The facets for `spans`, resolving mentions through `dids` (handle → DID, handles in lower case).
    public static func facets(for spans: [Span], dids: [String: String]) -> [BlueskyFacet] {
        spans.compactMap { span in
            let feature: BlueskyFacet.Feature
            switch span.kind {
            case .link(let uri): feature = .link(uri: uri)
            case .tag(let tag): feature = .tag(tag)
            case .mention(let handle):
                guard let did = dids[handle.lowercased()] else { return nil }
                feature = .mention(did: did)
            }
            return BlueskyFacet(byteStart: span.byteStart, byteEnd: span.byteEnd, features: [feature])
        }
    }

    /// The distinct handles mentioned in `spans`, in lower case, in order.
    public static func mentionedHandles(in spans: [Span]) -> [String] {
        var seen = Set<String>()
        return spans.compactMap { span in
            guard case .mention(let handle) = span.kind else { return nil }
            let lowered = handle.lowercased()
            return seen.insert(lowered).inserted ? lowered : nil
        }
    }

    /// Whether `handle` has the atproto handle syntax (atproto.com/specs/handle).
    public static func isValidHandle(_ handle: String) -> Bool {
        guard handle.utf8.count <= 253, handle.unicodeScalars.allSatisfy({ $0.isASCII }) else { return false }
        let labels = handle.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
            guard label.unicodeScalars.allSatisfy({ isASCIIAlphanumeric($0) || $0 == "-" }) else { return false }
        }
        return labels.last!.unicodeScalars.first.map { ("a"..."z").contains($0) || ("A"..."Z").contains($0) } ?? false
    }

    // MARK: - Scanning

    /// The end of a link starting at `i` (the end of its run of non-space characters), or nil.
    private static func link(in scalars: [Unicode.Scalar], at i: Int) -> Int? {
        for scheme in ["https://", "http://"] {
            let prefix = Array(scheme.unicodeScalars)
            guard i + prefix.count < scalars.count else { continue }
            let matches = zip(scalars[i..<(i + prefix.count)], prefix).allSatisfy { lowercased($0) == $1 }
            guard matches, !isSpace(scalars[i + prefix.count]) else { continue }
            var end = i + prefix.count
            while end < scalars.count, !isSpace(scalars[end]) { end += 1 }
            return end
        }
        return nil
    }

    /// The end of a mention whose `@` is at `i` (a handle followed by a word boundary), or nil.
    private static func mention(in scalars: [Unicode.Scalar], at i: Int) -> Int? {
        var end = i + 1
        while end < scalars.count, isASCIIAlphanumeric(scalars[end]) || scalars[end] == "." || scalars[end] == "-" { end += 1 }
        // Back off to a word boundary, as `([a-zA-Z0-9.-]+)\b` does.
        while end > i + 1 {
            let before = isWordCharacter(scalars[end - 1])
            let after = end < scalars.count && isWordCharacter(scalars[end])
            if before != after { break }
            end -= 1
        }
        guard end > i + 1 else { return nil }
        let handle = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
        return isValidHandle(handle) ? end : nil
    }

    /// For a `#` at `i`: the end of the tag (trailing punctuation left out) and the end of its run, or nil.
    private static func tag(in scalars: [Unicode.Scalar], at i: Int) -> (Int, Int)? {
        let start = i + 1
        guard start < scalars.count, scalars[start] != "\u{FE0F}" else { return nil }
        var runEnd = start
        while runEnd < scalars.count, !isSpace(scalars[runEnd]), !isZeroWidth(scalars[runEnd]) { runEnd += 1 }
        guard scalars[start..<runEnd].contains(where: { !isDigit($0) && !isPunctuation($0) }) else { return nil }
        var end = runEnd
        while end > start, isPunctuation(scalars[end - 1]) { end -= 1 }
        guard end > start else { return nil }
        let tag = String(String.UnicodeScalarView(scalars[start..<end]))
        guard tag.count <= 64 else { return nil }
        return (end, runEnd)
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "\u{FEFF}"
    }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        ["\u{00AD}", "\u{2060}", "\u{200A}", "\u{200B}", "\u{200C}", "\u{200D}", "\u{20E2}"].contains(scalar)
    }

    /// A digit as a JavaScript regular expression's `\d` sees it (ASCII only).
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            true
        default: false
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// A word character as a JavaScript regular expression's `\b` sees it (ASCII letters, digits, `_`).
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isASCIIAlphanumeric(scalar) || scalar == "_"
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }
}
