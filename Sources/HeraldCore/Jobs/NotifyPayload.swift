import Foundation

/// The payload of a `notify` job: one lifecycle event for one subscribed webhook,
/// `{"event": "publication.failed", "event_id": "<uuid>", "workspace_id": "<uuid>", "webhook_id": "<uuid>",
/// "body": "<the event's JSON>"}`.
///
/// The body is kept as the exact text that is signed and sent, so every retry sends the same bytes; the signing secret
/// is not in it (the webhook's row names the worker's environment variable that holds it).
public struct NotifyPayload: JobPayload {
    public static let kind = JobKind.notify

    /// The event's type.
    public var event: LifecycleEventType
    /// The event's id (sent as `Idempotency-Key`).
    public var eventID: UUID
    public var workspace: WorkspaceID
    /// The subscription it goes to.
    public var webhook: UUID
    /// The event's JSON (``LifecycleEvent/json()``).
    public var body: String

    public init(event: LifecycleEventType, eventID: UUID, workspace: WorkspaceID, webhook: UUID, body: String) {
        self.event = event
        self.eventID = eventID
        self.workspace = workspace
        self.webhook = webhook
        self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case event, body
        case eventID = "event_id"
        case workspace = "workspace_id"
        case webhook = "webhook_id"
    }

    /// Writes ids in PostgreSQL's lowercase form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(event, forKey: .event)
        try container.encode(eventID.uuidString.lowercased(), forKey: .eventID)
        try container.encode(workspace, forKey: .workspace)
        try container.encode(webhook.uuidString.lowercased(), forKey: .webhook)
        try container.encode(body, forKey: .body)
    }
}
