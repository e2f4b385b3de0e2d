import Foundation
import HeraldCore

/// A person of a workspace's back office as listings show them (never the password hash).
public struct StoredUser: Sendable, Equatable, Encodable {
    public var id: UUID
    public var workspace: WorkspaceID
    public var email: String
    public var role: UserRole
    /// Whether the person has set a password (false until an invitation is accepted).
    public var hasPassword: Bool
    public var createdAt: Date
    public var disabledAt: Date?

    public init(id: UUID, workspace: WorkspaceID, email: String, role: UserRole, hasPassword: Bool, createdAt: Date, disabledAt: Date?) {
        self.id = id
        self.workspace = workspace
        self.email = email
        self.role = role
        self.hasPassword = hasPassword
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, role
        case hasPassword = "has_password"
        case createdAt = "created_at"
        case disabledAt = "disabled_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(email, forKey: .email)
        try container.encode(role, forKey: .role)
        try container.encode(hasPassword, forKey: .hasPassword)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(disabledAt, forKey: .disabledAt)
    }
}

/// A person found for signing in: their record and bcrypt hash.
public struct SignInCandidate: Sendable {
    public var user: StoredUser
    public var workspaceSlug: String
    public var passwordHash: String
}
