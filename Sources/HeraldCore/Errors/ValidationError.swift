/// Input that Herald refuses, with where it is wrong and why.
///
/// `description` reads `<location>: <field>: <reason>`, e.g.
/// `events.csv:17: kind: "clik" is not one of impression, click, like, share, comment, conversion`.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, line or request the input came from (e.g. `campaign.yaml` or `events.csv:17`); may be empty.
    public var location: String
    /// The field that is wrong, as a path (`variants[2].text`); empty when the whole input is wrong.
    public var field: String
    /// What is wrong and, where it helps, what would be right.
    public var reason: String

    public init(location: String = "", field: String, reason: String) {
        self.location = location
        self.field = field
        self.reason = reason
    }

    /// The same error, reported at `location`.
    public func at(_ location: String) -> ValidationError {
        var copy = self
        copy.location = location
        return copy
    }

    public var description: String {
        [location, field, reason].filter { !$0.isEmpty }.joined(separator: ": ")
    }
}

/// Several validation errors found in one input (e.g. every bad row of a CSV file).
public struct ValidationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errors, in input order.
    public var errors: [ValidationError]
    /// How many errors there were in all, when ``errors`` holds only the first ones.
    public var total: Int

    public init(_ errors: [ValidationError], total: Int? = nil) {
        self.errors = errors
        self.total = total ?? errors.count
    }

    /// One line per error, and a last line counting those left out.
    public var description: String {
        var lines = errors.map(\.description)
        if total > errors.count { lines.append("... and \(total - errors.count) more errors") }
        return lines.joined(separator: "\n")
    }
}

/// A thing that was asked for by id or name and does not exist (in this workspace).
public struct NotFoundError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of thing: `campaign`, `variant`...
    public var kind: String
    /// The id or name that was asked for.
    public var id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind) \"\(id)\" not found" }
}

/// A request that cannot be done in the current state of things (e.g. deleting a variant with recorded engagement).
public struct ConflictError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is in the way and what to do instead.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
