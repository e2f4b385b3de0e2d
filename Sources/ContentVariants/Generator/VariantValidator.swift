import Channels
import Foundation
import HeraldCore

/// The checks every generator's output passes before it becomes a variant: the channel's rules and
/// the safety policy (banned words, required disclosures, the SMS opt-out line). Duplicates are the caller's
/// (see ``DiversitySelector``).
public struct VariantValidator: Sendable {
    public var rules: ChannelRules
    public var policy: SafetyPolicy

    public init(channel: Channel, policy: SafetyPolicy, rules: ChannelRules? = nil) {
        self.rules = rules ?? .standard(for: channel)
        self.policy = policy
    }

    /// The text with missing disclosures added (and, for SMS, the opt-out line at its end), its channel check,
    /// and every reason it cannot go out.
    public func prepare(_ text: String) -> (text: String, check: ChannelCheck, reasons: [String]) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let prepared = rules.channel == .sms ? policy.preparingSMS(trimmed) : policy.addingDisclosures(to: trimmed)
        let check = rules.check(prepared)
        return (prepared, check, reasons(for: prepared, check: check))
    }

    /// Every reason `text` cannot go out as it is (nothing is added): the channel's rules, banned words, missing
    /// disclosures and, for SMS when the policy sets one, a missing opt-out line at the end.
    public func reasons(for text: String) -> [String] {
        reasons(for: text, check: rules.check(text))
    }

    private func reasons(for text: String, check: ChannelCheck) -> [String] {
        check.violations.map(\.message) + policy.violations(in: text, channel: rules.channel)
    }

    /// An email with missing disclosures added to its body, the subject's channel check, and every reason it
    /// cannot go out: the subject against the email rules (78 characters, one line), a preheader over
    /// ``EmailContent/maximumPreheaderLength`` or on several lines, an empty body, banned words anywhere.
    public func prepare(email: EmailContent) -> (email: EmailContent, check: ChannelCheck, reasons: [String]) {
        var prepared = email
        prepared.subject = email.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        prepared.preheader = email.preheader.trimmingCharacters(in: .whitespacesAndNewlines)
        prepared.body = policy.addingDisclosures(to: email.body.trimmingCharacters(in: .whitespacesAndNewlines))
        let check = rules.check(prepared.subject)
        var reasons = check.violations.map { "subject \($0.message)" }
        if prepared.preheader.count > EmailContent.maximumPreheaderLength {
            reasons.append("preheader is \(prepared.preheader.count) characters; at most \(EmailContent.maximumPreheaderLength)")
        }
        if prepared.preheader.contains(where: \.isNewline) { reasons.append("preheader must be one line") }
        if prepared.body.isEmpty { reasons.append("body is empty") }
        let banned = policy.bannedWords(in: [prepared.subject, prepared.preheader, prepared.body].joined(separator: "\n"))
        reasons += banned.map { "contains the banned word \"\($0)\"" }
        reasons += policy.missingDisclosures(in: prepared.body).map { "lacks the required disclosure \"\($0)\"" }
        return (prepared, check, reasons)
    }
}
