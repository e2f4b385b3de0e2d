import Foundation

/// Who did something: a person signed in to the back office, an API token, the operator at the command line, or a
/// part of Herald itself; with the role it acted in.
///
/// Stored as ``reference`` (`user:<id>`, `token:<id>`, `cli:<login>`, `system:<part>`) in review decisions, the audit
/// log and `variants.written_by`.
public struct AuditActor: Sendable, Hashable, Codable {
    /// What kind of actor.
    public enum Kind: String, Sendable, Codable {
        case user, token, cli, system
    }

    public var kind: Kind
    /// The user's or token's id, the operator's login name, or the part of Herald (`autopilot`).
    public var id: String
    /// How to show it (a person's or token's name); may be empty.
    public var name: String
    /// What it may do.
    public var role: TokenRole

    public init(kind: Kind, id: String, name: String, role: TokenRole) {
        self.kind = kind
        self.id = id
        self.name = name
        self.role = role
    }

    /// `<kind>:<id>`, as stored.
    public var reference: String { "\(kind.rawValue):\(id)" }

    /// How an autopilot action, a chosen winner or an undo names who decided (its `decided_by`, `undone_by`): the part of
    /// Herald alone (`autopilot`), else `<kind>:<name>`: a person's email, a token's name (its id's first 8 characters
    /// when it has none), the operator's login.
    public var decider: String {
        switch kind {
        case .system: id
        case .token where name.isEmpty: "token:\(id.prefix(8))"
        default: "\(kind.rawValue):\(name.isEmpty ? id : name)"
        }
    }

    /// A person signed in to the back office.
    public static func user(_ id: UUID, name: String, role: TokenRole) -> AuditActor {
        AuditActor(kind: .user, id: id.uuidString.lowercased(), name: name, role: role)
    }

    /// An API token.
    public static func token(_ id: UUID, name: String, role: TokenRole) -> AuditActor {
        AuditActor(kind: .token, id: id.uuidString.lowercased(), name: name, role: role)
    }

    /// The operator running `herald` on a machine with access to the database: all roles (`cli:<login>`).
    public static func cli(login: String) -> AuditActor {
        AuditActor(kind: .cli, id: login.isEmpty ? "unknown" : login, name: login, role: .admin)
    }

    /// A part of Herald acting on its own (`system:autopilot`), with the role it acts in.
    public static func system(_ part: String, role: TokenRole = .editor) -> AuditActor {
        AuditActor(kind: .system, id: part, name: part, role: role)
    }
}
