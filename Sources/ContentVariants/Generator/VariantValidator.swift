import Channels
import Foundation
import HeraldCore

/// The checks every generator's output passes before it becomes a variant: the channel's rules and
/// the safety policy (banned words, required disclosures). Duplicates are the caller's (see ``DiversitySelector``).
public struct VariantValidator: Sendable {
    public var rules: ChannelRules
    public var policy: SafetyPolicy

    public init(channel: Channel, policy: SafetyPolicy, rules: ChannelRules? = nil) {
        self.rules = rules ?? .standard(for: channel)
        self.policy = policy
    }

    /// The text with missing disclosures added, its channel check, and every reason it cannot go out.
    public func prepare(_ text: String) -> (text: String, check: ChannelCheck, reasons: [String]) {
        let disclosed = policy.addingDisclosures(to: text.trimmingCharacters(in: .whitespacesAndNewlines))
        let check = rules.check(disclosed)
        let reasons = check.violations.map(\.message) + policy.violations(in: disclosed)
        return (disclosed, check, reasons)
    }
}
