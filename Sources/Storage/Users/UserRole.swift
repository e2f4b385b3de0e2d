import HeraldCore

/// What a person may do in the web back office of their workspace; each role can do what the ones before it can.
public enum UserRole: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads pages.
    case viewer
    /// Also changes campaigns, variants and schedules.
    case editor
    /// Also approves or rejects variants (review and approval).
    case approver
    /// Everything, including people and the workspace's settings.
    case admin

    var rank: Int {
        switch self {
        case .viewer: 0
        case .editor: 1
        case .approver: 2
        case .admin: 3
        }
    }

    public static func < (lhs: UserRole, rhs: UserRole) -> Bool { lhs.rank < rhs.rank }

    /// Parses a role named on the command line or in a form.
    public static func parse(_ text: String) throws(ValidationError) -> UserRole {
        guard let role = UserRole(rawValue: text.lowercased()) else {
            throw ValidationError(field: "role", reason: "\"\(text)\" is not one of viewer, editor, approver, admin")
        }
        return role
    }
}
