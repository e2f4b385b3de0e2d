/// Reads RFC 4180 CSV: comma-separated fields, optional double quotes, `""` for a quote inside quotes,
/// line breaks inside quoted fields, `\n` or `\r\n` line ends.
///
/// Each record carries the line it starts on (1-based, the header is line 1), so errors can name it.
///
/// ```swift
/// var reader = CSVReader(bytes: Array("a,b\n1,\"x,y\"\n".utf8))
/// while let record = try reader.next() { print(record.line, record.fields) }
/// ```
/// - Complexity: O(n) in the input's length.
public struct CSVReader: Sendable {
    /// One row of the file.
    public struct Record: Sendable, Equatable {
        /// The 1-based line on which the record starts.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]
    }

    private let bytes: [UInt8]
    private var position: Int
    private var line = 1

    /// - Parameter bytes: The whole file, UTF-8. A leading byte-order mark is skipped.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// How far into the input the reader is, from 0 to 1.
    public var progress: Double { bytes.isEmpty ? 1 : Double(position) / Double(bytes.count) }

    /// The next record, nil at the end; blank lines are skipped.
    ///
    /// - Throws: ``ValidationError`` at `line N` for a quote left open or text after a closing quote.
    public mutating func next() throws(ValidationError) -> Record? {
        while position < bytes.count {
            // Skip blank lines.
            if bytes[position] == UInt8(ascii: "\n") {
                position += 1
                line += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "\r"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\n") {
                position += 2
                line += 1
                continue
            }
            return try readRecord()
        }
        return nil
    }

    private mutating func readRecord() throws(ValidationError) -> Record {
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(8)
        var field: [UInt8] = []
        while true {
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                position += 1
                let quoteLine = line
                while true {
                    guard position < bytes.count else {
                        throw ValidationError(location: "line \(quoteLine)", field: "", reason: "a quoted field is never closed")
                    }
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                            field.append(byte)
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                    position += 1
                }
                if position < bytes.count, !isDelimiter(bytes[position]) {
                    throw ValidationError(
                        location: "line \(line)",
                        field: "",
                        reason: "unexpected text after a closing quote in field \(fields.count + 1)"
                    )
                }
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                let start = position
                while position < bytes.count, !isDelimiter(bytes[position]) { position += 1 }
                fields.append(String(decoding: bytes[start..<position], as: UTF8.self))
            }
            if position >= bytes.count { break }
            let delimiter = bytes[position]
            position += 1
            if delimiter == UInt8(ascii: ",") { continue }
            if delimiter == UInt8(ascii: "\r"), position < bytes.count, bytes[position] == UInt8(ascii: "\n") {
                position += 1
            }
            line += 1
            break
        }
        return Record(line: startLine, fields: fields)
    }

    private func isDelimiter(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n")
            || (byte == UInt8(ascii: "\r") && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\n"))
    }
}
