/// The unsubscribe headers of a bulk message: `List-Unsubscribe` (RFC 2369) with an HTTPS URL and optionally a
/// `mailto:`, and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), so a mail client can unsubscribe
/// with one POST to the URL and no page to visit.
///
/// ```swift
/// ListUnsubscribe(url: "https://h.example/u/TOKEN").headers
/// // [("List-Unsubscribe", "<https://h.example/u/TOKEN>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
/// ```
public struct ListUnsubscribe: Sendable, Equatable {
    /// The one-click URL (`https://…/u/TOKEN`: an opaque signed token, never the address).
    public var url: String
    /// An optional address to write to instead (`unsubscribe@example.com`, without `mailto:`).
    public var mailto: String?

    public init(url: String, mailto: String? = nil) {
        self.url = url
        self.mailto = mailto
    }

    /// The two headers, in the order they are written.
    public var headers: [(name: String, value: String)] {
        var value = "<\(url)>"
        if let mailto, !mailto.isEmpty { value += ", <mailto:\(mailto)>" }
        return [("List-Unsubscribe", value), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    }
}
