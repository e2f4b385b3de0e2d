/// The payload of a `noop` job: nothing (`{}`).
public struct NoopPayload: JobPayload {
    public static let kind = JobKind.noop

    public init() {}
}
