import Foundation

/// The lifecycle events a workspace's webhooks can subscribe to (`herald webhooks add URL --events …`).
public enum LifecycleEventType: String, CaseIterable, Codable, Sendable {
    /// A publication reached its platform (it has the provider's post id and URL).
    case publicationPublished = "publication.published"
    /// A publication failed for good, with its failure class and the platform's message.
    case publicationFailed = "publication.failed"
    /// An account's credentials were refused after a refresh: it needs reconnecting, and its publications wait.
    case accountNeedsReconnect = "account.needs_reconnect"

    /// Every event's name, comma-separated: for help texts and errors.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Reads a comma-separated list of event names (`publication.failed,account.needs_reconnect`), without repeats,
    /// in the order of ``allCases``.
    ///
    /// - Throws: ``ValidationError`` on `field` for an empty list or a name that is no event.
    public static func parseList(_ text: String, field: String) throws(ValidationError) -> [LifecycleEventType] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try parse(names, field: field)
    }

    /// Reads a list of event names, without repeats, in the order of ``allCases``.
    ///
    /// - Throws: ``ValidationError`` on `field` for an empty list or a name that is no event.
    public static func parse(_ names: [String], field: String) throws(ValidationError) -> [LifecycleEventType] {
        guard !names.isEmpty else { throw ValidationError(field: field, reason: "name at least one event: \(Self.names)") }
        var chosen = Set<LifecycleEventType>()
        for name in names {
            guard let type = LifecycleEventType(rawValue: name) else {
                throw ValidationError(field: field, reason: "\"\(name)\" is not a lifecycle event; one of \(Self.names)")
            }
            chosen.insert(type)
        }
        return allCases.filter(chosen.contains)
    }
}
