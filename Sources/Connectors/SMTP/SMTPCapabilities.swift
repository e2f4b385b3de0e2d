/// What a server offers in its EHLO reply (RFC 5321 §4.1.1.1): one keyword per line after the first, with
/// parameters (`AUTH PLAIN LOGIN`, `SIZE 10240000`).
public struct SMTPCapabilities: Sendable, Equatable {
    /// Keyword (uppercased) → its parameters.
    public var keywords: [String: [String]]

    public init(keywords: [String: [String]] = [:]) {
        self.keywords = keywords
    }

    /// The capabilities in an EHLO reply (its first line is the greeting and is skipped); empty for HELO.
    public init(ehlo reply: SMTPReply) {
        var keywords: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            keywords[keyword.uppercased(), default: []] += words.dropFirst().map { $0.uppercased() }
        }
        self.init(keywords: keywords)
    }

    public var startTLS: Bool { keywords["STARTTLS"] != nil }
    public var pipelining: Bool { keywords["PIPELINING"] != nil }
    /// The AUTH mechanisms offered (`PLAIN`, `LOGIN`, ...); also the old `AUTH=PLAIN` form.
    public var authMechanisms: Set<String> {
        var mechanisms = Set(keywords["AUTH"] ?? [])
        for keyword in keywords.keys where keyword.hasPrefix("AUTH=") {
            mechanisms.formUnion(keyword.dropFirst(5).split(separator: " ").map(String.init))
            mechanisms.formUnion(keywords[keyword] ?? [])
        }
        return mechanisms
    }
}
