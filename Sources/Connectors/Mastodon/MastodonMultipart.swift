import Foundation

/// A `multipart/form-data` body (RFC 7578), as Mastodon's media upload reads it.
public struct MastodonMultipart: Sendable {
    /// The boundary between parts; it must not occur in any part.
    public var boundary: String
    private var parts = Data()

    public init(boundary: String) {
        self.boundary = boundary
    }

    /// The `Content-Type` header value.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Adds a text field.
    public mutating func addField(name: String, value: String) {
        parts.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n".utf8))
        parts.append(Data(value.utf8))
        parts.append(Data("\r\n".utf8))
    }

    /// Adds a file part with its media type.
    public mutating func addFile(name: String, fileName: String, mimeType: String, data: Data) {
        parts.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(fileName))\"\r\nContent-Type: \(mimeType)\r\n\r\n"
                    .utf8
            )
        )
        parts.append(data)
        parts.append(Data("\r\n".utf8))
    }

    /// The whole body, closing delimiter included.
    public var body: Data { parts + Data("--\(boundary)--\r\n".utf8) }

    /// A name or file name inside a quoted header parameter.
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "")
            .replacingOccurrences(of: "\n", with: "")
    }
}
