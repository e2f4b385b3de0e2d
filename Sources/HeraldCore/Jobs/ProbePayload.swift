/// The payload of a `probe` job: nothing (`{}`).
public struct ProbePayload: JobPayload {
    public static let kind = JobKind.probe

    public init() {}
}
