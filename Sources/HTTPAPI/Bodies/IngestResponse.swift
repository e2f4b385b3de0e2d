import Storage

/// The answer to `POST /v1/events` (202): how many events were stored and how many were duplicates.
public struct IngestResponse: Codable, Sendable, Equatable {
    /// New events stored.
    public var accepted: Int
    /// Events whose id was already stored (or repeated in the batch): skipped, not counted again.
    public var duplicates: Int

    init(_ result: IngestResult) {
        accepted = result.accepted
        duplicates = result.duplicates
    }
}
