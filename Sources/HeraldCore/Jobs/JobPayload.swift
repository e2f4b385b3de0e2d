import Foundation

/// The arguments of one kind of job, stored as a JSON object in `jobs.payload` and `schedules.job_payload`.
///
/// A payload type knows its kind, so whoever enqueues it and the handler that runs it agree on
/// both by construction. The JSON keys are part of the stored data: existing rows must keep decoding.
public protocol JobPayload: Codable, Sendable, Equatable {
    /// The kind of job this payload is for.
    static var kind: JobKind { get }

    /// Reads a stored payload (the default decodes the JSON object with the payload's coding keys).
    ///
    /// - Throws: The `DecodingError` of the first key that is missing or wrong (see ``ValidationError/init(decoding:location:)``).
    init(json: String) throws
}

extension JobPayload {
    /// The payload as stored: a JSON object with sorted keys and unescaped slashes.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            // Payloads hold strings, whole numbers, ids and JSON values, and every float encodes (see above):
            // encoding cannot fail unless a payload type's own `encode(to:)` is wrong.
            preconditionFailure("encoding a \(Self.kind.rawValue) job payload failed: \(error)")
        }
    }

    /// Decodes a stored payload's JSON object.
    public init(json: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
    }
}
