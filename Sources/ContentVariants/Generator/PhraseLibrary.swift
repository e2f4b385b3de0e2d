import Foundation

/// The phrases the rule generator composes posts from, written in the template language.
///
/// Each part of a post has its own list: opening lines by hook, offer and body lines by tone, proof lines,
/// calls to action by type, email subject lines by hook, email preheaders, and emoji by tone. A phrase is used only
/// when the brief has values for its required slots, and states nothing the brief does not give (no invented
/// scarcity, social proof, numbers or outcomes); a tone changes the wording only.
public struct PhraseLibrary: Sendable {
    /// A phrase, and the tones it suits (all when empty).
    public struct Phrase: Sendable {
        public var template: Template
        public var tones: [Tone]

        init(_ source: String, tones: [Tone] = []) {
            template = Template(library: source)
            self.tones = tones
        }

        func suits(_ tone: Tone) -> Bool { tones.isEmpty || tones.contains(tone) }
    }

    /// The language, as an ISO 639-1 code.
    public var language: String
    /// Opening lines by hook.
    public var hooks: [Hook: [Phrase]]
    /// Lines stating the offer, by tone.
    public var offers: [Tone: [Phrase]]
    /// Lines about the benefit or audience (long posts), by tone.
    public var bodies: [Tone: [Phrase]]
    /// Lines with social proof (long posts).
    public var proofs: [Phrase]
    /// Calls to action by type; each phrase is one CTA phrasing.
    public var ctas: [(CTAType, String)]
    /// Email subject lines by hook.
    public var subjects: [Hook: [Phrase]]
    /// Email preheaders (the inbox preview line after the subject), the first that fits the brief and is not
    /// already in the subject being used.
    public var preheaders: [Phrase]
    /// Emoji by tone: the first closes the opening line, the second points at the call to action.
    public var emoji: [Tone: [String]]

    /// The library for `language`, or nil when Herald has none.
    public static func forLanguage(_ language: String) -> PhraseLibrary? {
        language == "en" ? english : nil
    }
}
