import Foundation
import HeraldCore

/// A template that does not parse: where, what was expected there and what was found.
///
/// `description` reads `line 2, column 14: expected '}}' to close the slot opened at line 2, column 5, found end of template`.
public struct TemplateParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line of the problem, from 1.
    public var line: Int
    /// The column of the problem, from 1, in characters.
    public var column: Int
    /// What the parser expected at that place.
    public var expected: String
    /// What it found instead (`end of template`, `'x'`).
    public var found: String

    public init(line: Int, column: Int, expected: String, found: String) {
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
    }

    public var description: String { "line \(line), column \(column): expected \(expected), found \(found)" }

    /// The error as a ``ValidationError`` on `field` (e.g. `templates[2]`) at `location` (e.g. `brief.yaml`).
    public func validationError(field: String, location: String = "") -> ValidationError {
        ValidationError(location: location, field: field, reason: description)
    }
}
