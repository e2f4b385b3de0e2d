/// The payload of a `probe` job: nothing (`{}`).
public struct ProbePayload: JobPayload {
    public static let kind = JobKind.probe

    public init() {}

    /// Reads nothing: a `probe` job ignores whatever its row holds, so running one costs no decoding.
    public init(json: String) {}
}
