import Foundation
import HeraldCore
import Logging
import NIOCore
import PostgresNIO

/// How imported contacts travel to PostgreSQL: binary COPY tuples into a temporary table of the import's transaction.
enum ContactRows {
    /// The temporary table's columns, in ``append(_:digests:to:)``'s order.
    static let columns = ["line", "email", "phone", "name", "time_zone", "consent", "attributes", "email_digest", "phone_digest"]

    /// Creates the import's temporary table (dropped at commit or rollback).
    static let createTable: PostgresQuery = """
        CREATE TEMP TABLE contact_import (
            line int4 NOT NULL, email text, phone text, name text, time_zone text, consent text, attributes text,
            email_digest bytea, phone_digest bytea
        ) ON COMMIT DROP
        """

    /// One contact as a binary COPY tuple; its attributes as a JSON object (NULL when it has none).
    static func append(_ contact: ContactInput, emailDigest: [UInt8]?, phoneDigest: [UInt8]?, to buffer: inout ByteBuffer) {
        let attributes = contact.attributes.isEmpty ? nil : jsonObject(contact.attributes)
        let texts = [contact.email?.normalized, contact.phone?.e164, contact.name, contact.timeZone, contact.consent?.rawValue, attributes]
        let size = 2 + 8 + texts.reduce(0) { $0 + 4 + ($1?.utf8.count ?? 0) } + 2 * 36
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var tuple = EventRows.BinaryWriter(out)
            tuple.int16(Int16(columns.count))
            tuple.int32(4)
            tuple.int32(Int32(clamping: contact.line))
            for text in texts {
                if let text { tuple.textField(text) } else { tuple.int32(-1) }
            }
            for digest in [emailDigest, phoneDigest] {
                if let digest { tuple.bytesField(digest) } else { tuple.int32(-1) }
            }
            return tuple.count
        }
    }

    /// A JSON object of string values, keys sorted (attributes of a row, written without a general encoder: an import
    /// writes a million of them).
    static func jsonObject(_ values: [String: String]) -> String {
        var json = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            appendJSONString(key, to: &json)
            json += ":"
            appendJSONString(values[key]!, to: &json)
        }
        return json + "}"
    }

    private static func appendJSONString(_ text: String, to json: inout String) {
        json += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                json += String(format: "\\u%04x", scalar.value)
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}

extension EventRows.BinaryWriter {
    /// A `bytea` field.
    mutating func bytesField(_ bytes: [UInt8]) {
        int32(Int32(bytes.count))
        for byte in bytes {
            out[count] = byte
            count += 1
        }
    }
}
