import Foundation
import HeraldCore

/// What a campaign wants to say, from which variants are generated.
///
/// ```yaml
/// product: Trailblazer 2 trail shoes
/// offer: 20% off this weekend
/// audience: trail runners
/// link: https://example.com/shoes
/// cta: Shop the sale            # optional: used as one of the call-to-action phrasings
/// hashtags: [trailrunning, ultrarunning]
/// tone: playful                 # optional: fixes the tone; otherwise tones vary
/// language: en
/// benefit: grip that holds on wet rock      # optional
/// proof: 12,000 runners                     # optional: who already chose the product, for social-proof hooks
/// deadline: Sunday                          # optional: when the offer ends, for urgency hooks
/// brand: Trailblazer                        # optional
/// emoji: false                              # optional (default true): false keeps emoji out of every variant
/// templates: ["{New|Meet} {{product}}: {{offer}}. {{link}}"]   # optional: your own templates
/// safety: {banned_words: [guaranteed], disclosures: ["#ad"], sms_opt_out: "Reply STOP to opt out"}   # optional
/// ```
///
/// The rule generator states only what the brief gives: scarcity and urgency only with a `deadline`, social
/// proof only from `proof` (stated as "chosen by 12,000 runners"), numbers only from the brief's own values, and
/// no promised outcomes; a tone changes the wording, never the claims. Write `proof` and `audience` as plural noun
/// phrases (`12,000 runners`, `trail runners`) and `deadline` as a point in time (`Sunday`, `March 3`).
/// Emoji go only where the channel allows them (at most one on LinkedIn and in an email subject, none in an
/// email body) and never when one would add an SMS segment.
public struct Brief: Sendable, Equatable {
    public var product: String
    public var offer: String?
    public var audience: String?
    public var link: String?
    public var cta: String?
    /// Hashtags without `#`, most important first.
    public var hashtags: [String]
    /// A fixed tone, or nil to vary tones.
    public var tone: Tone?
    /// The language of the phrase library to use (`en`).
    public var language: String
    public var benefit: String?
    public var proof: String?
    public var deadline: String?
    public var brand: String?
    /// Whether variants may carry emoji (`emoji: false` in the brief keeps them out); default true.
    public var emoji: Bool
    /// The brief's own templates (parsed), used alongside the phrase library.
    public var templates: [Template]
    /// Banned words and disclosures the brief adds to the workspace's.
    public var safety: SafetyPolicy

    /// Languages with a phrase library.
    public static let languages = ["en"]
    /// The longest product name, offer, audience... accepted, in characters.
    public static let maximumFieldLength = 200

    public init(
        product: String,
        offer: String? = nil,
        audience: String? = nil,
        link: String? = nil,
        cta: String? = nil,
        hashtags: [String] = [],
        tone: Tone? = nil,
        language: String = "en",
        benefit: String? = nil,
        proof: String? = nil,
        deadline: String? = nil,
        brand: String? = nil,
        templates: [Template] = [],
        safety: SafetyPolicy = .none,
        emoji: Bool = true
    ) {
        self.product = product
        self.offer = offer
        self.audience = audience
        self.link = link
        self.cta = cta
        self.hashtags = hashtags.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }
        self.tone = tone
        self.language = language
        self.benefit = benefit
        self.proof = proof
        self.deadline = deadline
        self.brand = brand
        self.templates = templates
        self.safety = safety
        self.emoji = emoji
    }

    /// The values templates can use: product, offer, audience, link, cta, benefit, proof, deadline, brand
    /// (only those the brief gives).
    public var slotValues: [String: String] {
        var values = ["product": product]
        let optional: [(String, String?)] = [
            ("offer", offer), ("audience", audience), ("link", link), ("cta", cta), ("benefit", benefit),
            ("proof", proof), ("deadline", deadline), ("brand", brand),
        ]
        for (name, value) in optional { if let value, !value.isEmpty { values[name] = value } }
        return values
    }

    /// The values the phrase library fills its slots with: ``slotValues`` with runs of white space made one space
    /// and sentence punctuation at the end dropped (the phrase supplies its own), so `offer: "20% off!"` does not
    /// render as `20% off!.`.
    public var phraseValues: [String: String] {
        slotValues.mapValues { value in
            var tidy = value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if !tidy.lowercased().hasPrefix("http") {
                while let last = tidy.last, ".!?,;:".contains(last) { tidy.removeLast() }
            }
            return tidy
        }
    }

    /// Checks every field; throws the first problem, naming the field.
    public func validate() throws(ValidationError) {
        guard !product.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError(field: "product", reason: "must not be empty")
        }
        let fields: [(String, String?)] = [
            ("product", product), ("offer", offer), ("audience", audience), ("cta", cta), ("benefit", benefit), ("proof", proof),
            ("deadline", deadline), ("brand", brand),
        ]
        for (name, value) in fields {
            guard let value else { continue }
            guard value.count <= Self.maximumFieldLength else {
                throw ValidationError(field: name, reason: "is \(value.count) characters; at most \(Self.maximumFieldLength)")
            }
            guard !value.contains(where: \.isNewline) else { throw ValidationError(field: name, reason: "must be one line") }
        }
        if let link {
            guard let url = URL(string: link), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                url.host?.isEmpty == false, !link.contains(where: \.isWhitespace)
            else {
                throw ValidationError(field: "link", reason: "\"\(link)\" is not an http or https URL")
            }
        }
        for (index, tag) in hashtags.enumerated() {
            guard !tag.isEmpty, tag.count <= 100, tag.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !tag.allSatisfy(\.isNumber)
            else {
                throw ValidationError(
                    field: "hashtags[\(index)]",
                    reason: "\"\(tag)\" must be letters, digits and _ (not only digits), without spaces"
                )
            }
        }
        guard Self.languages.contains(language) else {
            throw ValidationError(
                field: "language",
                reason: "\"\(language)\" has no phrase library yet; use one of \(Self.languages.joined(separator: ", "))"
            )
        }
    }
}
