import Foundation

/// A request body as a Mastodon stand-in reads it: Mastodon takes its parameters as JSON, as
/// `application/x-www-form-urlencoded` (`media_ids[]=1&media_ids[]=2`) or as `multipart/form-data` (files).
struct MastodonStandInForm: Sendable {
    /// An uploaded file part.
    struct File: Sendable {
        var fileName: String?
        var mimeType: String?
        var data: Data
    }

    /// Values per parameter name (`media_ids[]` and `media_ids` are the same parameter).
    var fields: [String: [String]] = [:]
    var files: [String: File] = [:]

    /// The first value of `name`.
    func value(_ name: String) -> String? { fields[name]?.first }

    /// All values of an array parameter.
    func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// Reads `body` by its `Content-Type`; nil when it cannot be read (Mastodon then answers 400 or 422).
    init?(body: Data, contentType: String?) {
        let type = (contentType ?? "").lowercased()
        if type.hasPrefix("multipart/form-data") {
            guard let boundary = Self.parameter("boundary", in: contentType ?? ""), Self.readMultipart(body, boundary: boundary, into: &self) else {
                return nil
            }
        } else if type.hasPrefix("application/x-www-form-urlencoded") {
            readURLEncoded(String(decoding: body, as: UTF8.self))
        } else if body.isEmpty {
            return
        } else {
            guard let object = try? JSONSerialization.jsonObject(with: body), let dictionary = object as? [String: Any] else { return nil }
            for (key, value) in dictionary {
                switch value {
                case let list as [Any]: fields[Self.name(key)] = list.map(Self.text)
                case is NSNull: continue
                default: fields[Self.name(key), default: []].append(Self.text(value))
                }
            }
        }
    }

    private mutating func readURLEncoded(_ text: String) {
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decoded(parts[0])
            let value = parts.count > 1 ? Self.decoded(parts[1]) : ""
            fields[Self.name(key), default: []].append(value)
        }
    }

    private static func readMultipart(_ body: Data, boundary: String, into form: inout MastodonStandInForm) -> Bool {
        let delimiter = Data("--\(boundary)".utf8)
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else { return false }
        cursor = first.upperBound
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { return true }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { return false }
            cursor += 2
            guard let headerEnd = body.range(of: Data("\r\n\r\n".utf8), in: cursor..<body.endIndex) else { return false }
            let head = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self)
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headerEnd.upperBound..<body.endIndex) else { return false }
            let content = Data(body[headerEnd.upperBound..<next.lowerBound])
            var name: String?
            var fileName: String?
            var mimeType: String?
            for line in head.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = parameter("name", in: line)
                    fileName = parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    mimeType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            if let name {
                if fileName != nil || mimeType != nil {
                    form.files[Self.name(name)] = File(fileName: fileName, mimeType: mimeType, data: content)
                } else {
                    form.fields[Self.name(name), default: []].append(String(decoding: content, as: UTF8.self))
                }
            }
            cursor = next.upperBound
        }
    }

    /// A header parameter (`boundary=…`, `name="…"`), quoted or not.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(name.lowercased() + "=") else { continue }
            var value = String(trimmed.dropFirst(name.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    private static func name(_ key: String) -> String { key.hasSuffix("[]") ? String(key.dropLast(2)) : key }

    private static func decoded(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    private static func text(_ value: Any) -> String {
        switch value {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: String(describing: value)
        }
    }
}
