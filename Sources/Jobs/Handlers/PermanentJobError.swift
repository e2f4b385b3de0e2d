/// A failure that retrying cannot fix (bad payload, missing campaign): the job is dead at once.
public struct PermanentJobError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
