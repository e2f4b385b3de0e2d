/// What an ingest did.
public struct IngestResult: Sendable, Equatable, Codable {
    /// New events stored.
    public var accepted: Int
    /// Events whose id was already stored (or repeated in the batch): skipped, not counted again.
    public var duplicates: Int

    public init(accepted: Int, duplicates: Int) {
        self.accepted = accepted
        self.duplicates = duplicates
    }
}
