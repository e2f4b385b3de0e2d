/// What an email variant adds to its text: the subject line, the preheader (the preview line inboxes show after the
/// subject) and the body. A variant's `text` is then the plain-text body.
public struct EmailContent: Sendable, Equatable, Hashable, Codable {
    /// One line; the channel's rules hold it to 78 characters.
    public var subject: String
    /// The inbox preview line after the subject; empty when none.
    public var preheader: String
    /// The message body as written (plain text; links in it become tracking links when it goes out).
    public var body: String

    public init(subject: String, preheader: String = "", body: String) {
        self.subject = subject
        self.preheader = preheader
        self.body = body
    }

    /// The longest preheader accepted, in characters (inboxes show about 40 to 140).
    public static let maximumPreheaderLength = 150
}
