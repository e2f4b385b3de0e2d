/// The payload of a `noop` job: nothing (`{}`).
public struct NoopPayload: JobPayload {
    public static let kind = JobKind.noop

    public init() {}

    /// Reads nothing: a `noop` job ignores whatever its row holds, so running one costs no decoding.
    public init(json: String) {}
}
