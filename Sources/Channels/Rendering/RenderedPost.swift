import HeraldCore

/// A variant as it goes out on one channel: its links are the publication's tracking link.
public struct RenderedPost: Sendable, Equatable {
    public var channel: Channel
    /// What is posted or sent (for email, the plain-text part).
    public var text: String
    /// An email's subject line.
    public var subject: String?
    /// An email's preheader (the inbox preview line).
    public var preheader: String?
    /// An email's HTML part, carrying the open pixel.
    public var html: String?

    public init(channel: Channel, text: String, subject: String? = nil, preheader: String? = nil, html: String? = nil) {
        self.channel = channel
        self.text = text
        self.subject = subject
        self.preheader = preheader
        self.html = html
    }
}
