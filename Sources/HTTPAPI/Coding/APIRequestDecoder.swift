import Foundation
import HeraldCore
import Hummingbird

/// Reads every JSON request body of the API (``APIContext/requestDecoder``): at most the context's `maxUploadSize`
/// bytes (413 past it), UTF-8 and JSON (400 otherwise), then decoded once into a request type whose decoding names
/// the field that is wrong (422).
public struct APIRequestDecoder: RequestDecoder {
    public init() {}

    /// Decodes `type` from the request's body.
    ///
    /// - Throws: ``APIError`` for a body that is too large or not JSON, ``ValidationError`` for a field that is wrong.
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await JSONBody.bytes(of: request, limit: context.maxUploadSize)
        guard String(validating: buffer.readableBytesView, as: UTF8.self) != nil else {
            throw APIError.badRequest("the request body is not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw Self.refusal(of: error)
        }
    }

    /// What to answer for a body the decoder could not read: not JSON at all, JSON but not an object, or a field
    /// that no request type checked itself.
    static func refusal(of error: DecodingError) -> any Error {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return APIError.badRequest("the request body is not valid JSON")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return APIError.badRequest("the request body must be a JSON object")
        default:
            return ValidationError(decoding: error)
        }
    }
}
