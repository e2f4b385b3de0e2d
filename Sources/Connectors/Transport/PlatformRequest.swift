import Foundation

/// An HTTP request to a platform, as pure code builds it.
public struct PlatformRequest: Sendable, Equatable {
    public var method: String
    /// The full URL.
    public var url: String
    /// Header fields in order (names as the platform documents them).
    public var headers: [(String, String)]
    public var body: Data?
    /// Whether sending it twice is harmless (GETs, or a POST the platform de-duplicates by a key): a timeout is then
    /// transient rather than an unknown outcome.
    public var idempotent: Bool

    public init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil, idempotent: Bool? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotent = idempotent ?? (method == "GET" || method == "HEAD")
    }

    /// A JSON request.
    public static func json(
        _ method: String,
        _ url: String,
        headers: [(String, String)] = [],
        body: some Encodable,
        idempotent: Bool? = nil
    ) throws -> Self {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Self(
            method: method,
            url: url,
            headers: headers + [("Content-Type", "application/json")],
            body: try encoder.encode(body),
            idempotent: idempotent
        )
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.idempotent == rhs.idempotent
            && lhs.headers.elementsEqual(rhs.headers, by: { $0.0 == $1.0 && $0.1 == $1.1 })
    }
}

/// A platform's answer.
public struct PlatformResponse: Sendable {
    public var status: Int
    /// Header fields; ``header(_:)`` looks one up by name in any case.
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Whether the status is 2xx.
    public var succeeded: Bool { (200..<300).contains(status) }

    /// The body as text (for messages), at most `limit` characters.
    public func text(limit: Int = 500) -> String {
        String(decoding: body.prefix(limit * 4), as: UTF8.self).prefix(limit).description
    }

    /// Decodes the JSON body.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: body)
    }
}
