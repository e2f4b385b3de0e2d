/// A request the one making it may not make (their role, or a rule such as "no one approves what they wrote").
public struct ForbiddenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is not allowed and who may do it instead.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
