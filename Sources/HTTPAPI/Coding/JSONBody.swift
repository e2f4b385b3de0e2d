import Hummingbird
import NIOCore

/// Reading a request body whole, within a size limit: what ``APIRequestDecoder`` and the event reader start from.
enum JSONBody {
    /// Reads the body, refusing it (413) past `limit` bytes: by its Content-Length before reading, else while reading.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.tooLarge("the request body is \(length) bytes; at most \(limit) are accepted, split it")
        }
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge("the request body is larger than \(limit) bytes; split it")
        }
    }
}
