import Foundation

/// Whether a contact may be written to, and if not, why.
public enum ConsentState: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Agreed to receive messages.
    case subscribed
    /// Asked to receive no more.
    case unsubscribed
    /// The address does not accept mail (a hard bounce).
    case bounced
    /// Reported a message as spam.
    case complained

    /// Whether nothing may be sent: every state but ``subscribed``.
    public var isSuppressed: Bool { self != .subscribed }

    /// Parses a state by name (case and surrounding space ignored).
    ///
    /// - Throws: ``ValidationError`` on `field` listing the states.
    public init(parsing text: String, field: String = "consent") throws(ValidationError) {
        guard let state = ConsentState(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw ValidationError(
                field: field,
                reason: "\"\(text)\" is not one of \(ConsentState.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self = state
    }

    public var description: String { rawValue }
}
