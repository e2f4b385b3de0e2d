import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Storage

/// A small JSON object from a request body, with getters that name the field that is wrong.
struct JSONBody {
    let object: [String: Any]

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

    /// Reads the body (at most `limit` bytes) as UTF-8 text.
    static func text(of request: Request, limit: Int) async throws -> String {
        let buffer = try await bytes(of: request, limit: limit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw APIError.badRequest("the request body is not valid UTF-8")
        }
        return text
    }

    /// Parses the body as a JSON object, allowing only `allowed` keys.
    static func object(of request: Request, limit: Int, allowed: Set<String>) async throws -> JSONBody {
        let text = try await text(of: request, limit: limit)
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw APIError.badRequest("the request body is not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw APIError.badRequest("the request body must be a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ValidationError(field: unknown, reason: "unknown field (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
        return JSONBody(object: object)
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    func isNull(_ key: String) -> Bool { object[key] is NSNull }

    /// A string field, nil when absent.
    func string(_ key: String) throws(ValidationError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value as? String else { throw ValidationError(field: key, reason: "must be a string") }
        return text
    }

    /// A required string field.
    func requiredString(_ key: String) throws(ValidationError) -> String {
        guard let text = try string(key) else { throw ValidationError(field: key, reason: "is required") }
        return text
    }

    /// A list of strings, nil when absent.
    func strings(_ key: String) throws(ValidationError) -> [String]? {
        guard let value = object[key] else { return nil }
        guard let list = value as? [Any] else { throw ValidationError(field: key, reason: "must be a list of strings") }
        var strings: [String] = []
        for (index, item) in list.enumerated() {
            guard let text = item as? String else { throw ValidationError(field: "\(key)[\(index)]", reason: "must be a string") }
            strings.append(text)
        }
        return strings
    }

    /// A timestamp field (ISO 8601), nil when absent or null.
    func timestamp(_ key: String) throws(ValidationError) -> Date? {
        guard let text = try isNull(key) ? nil : string(key) else { return nil }
        do {
            return try Timestamp.parse(text)
        } catch {
            throw ValidationError(field: key, reason: error.reason)
        }
    }
}

/// JSON responses.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return raw(Data(data), status: status)
    }

    /// A response whose body is JSON text already.
    static func raw(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
