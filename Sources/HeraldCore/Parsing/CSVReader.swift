/// Reads RFC 4180 CSV: comma-separated fields, optional double quotes, `""` for a quote inside quotes,
/// line breaks inside quoted fields, `\n` or `\r\n` line ends.
///
/// Each record carries the line it starts on (1-based, the header is line 1), so errors can name it.
///
/// ```swift
/// var reader = CSVReader(bytes: Array("a,b\n1,\"x,y\"\n".utf8))
/// while let record = try reader.next() { print(record.line, record.fields) }
/// ```
///
/// A file too large to hold in memory is read a chunk at a time: start with ``init(expectedSize:)``, ``append(_:)``
/// each chunk, take records with ``next()`` until it answers `nil` (the buffer then ends inside a record), and
/// ``finish()`` once the input has ended. Only the unread part of the input is kept.
/// - Complexity: O(n) in the input's length (a record cut by a chunk's end is read again once its rest arrives).
public struct CSVReader: Sendable {
    /// One row of the file.
    public struct Record: Sendable, Equatable {
        /// The 1-based line on which the record starts.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]
    }

    private var bytes: [UInt8]
    private var position: Int
    private var line = 1
    /// Whether the whole input has been given (no more chunks will come).
    private var isComplete: Bool
    /// How many bytes of the input were read and dropped from the front of ``bytes``.
    private var dropped = 0
    /// The input's size in bytes when known, for ``progress``.
    private var expectedSize: Int?

    /// - Parameter bytes: The whole file, UTF-8. A leading byte-order mark is skipped.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        isComplete = true
        expectedSize = bytes.count
    }

    /// A reader for input that arrives in chunks (see ``append(_:)`` and ``finish()``).
    ///
    /// - Parameter expectedSize: The input's size in bytes, when known, for ``progress``.
    public init(expectedSize: Int?) {
        bytes = []
        position = 0
        isComplete = false
        self.expectedSize = expectedSize
    }

    /// Adds the next chunk of the input; the part already read is dropped.
    public mutating func append(_ chunk: some Sequence<UInt8>) {
        if position > 0 {
            bytes.removeFirst(position)
            dropped += position
            position = 0
        }
        bytes.append(contentsOf: chunk)
        if dropped == 0, position == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            position = 3
        }
    }

    /// Says that the input has ended: the next ``next()`` reads the last record, however it ends.
    public mutating func finish() {
        isComplete = true
    }

    /// Whether the whole input has been given and read.
    public var isAtEnd: Bool { isComplete && position >= bytes.count }

    /// How far into the input the reader is, from 0 to 1.
    public var progress: Double {
        guard let expectedSize, expectedSize > 0 else { return isAtEnd ? 1 : 0 }
        return min(1, Double(dropped + position) / Double(expectedSize))
    }

    /// The next record; `nil` at the end, or, for input given in chunks, when the rest of the record has not arrived
    /// yet. Blank lines are skipped.
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
            if bytes[position] == UInt8(ascii: "\r") {
                if position + 1 >= bytes.count, !isComplete { return nil }
                if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\n") {
                    position += 2
                    line += 1
                    continue
                }
            }
            return try readRecord()
        }
        return nil
    }

    /// Reads the record at ``position``, or answers `nil` (and stays where it was) when the input given so far ends
    /// inside it.
    private mutating func readRecord() throws(ValidationError) -> Record? {
        let recordStart = position
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
                        if !isComplete {
                            (position, line) = (recordStart, startLine)
                            return nil
                        }
                        throw ValidationError(location: "line \(quoteLine)", field: "", reason: "a quoted field is never closed")
                    }
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 >= bytes.count, !isComplete {
                            (position, line) = (recordStart, startLine)
                            return nil
                        }
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
                if needsMoreInput() {
                    (position, line) = (recordStart, startLine)
                    return nil
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
                if needsMoreInput() {
                    (position, line) = (recordStart, startLine)
                    return nil
                }
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

    /// Whether what ends a field at ``position`` cannot be known before more input arrives: the buffer ends there, or
    /// with a `\r` that a `\n` may follow.
    private func needsMoreInput() -> Bool {
        guard !isComplete else { return false }
        return position >= bytes.count || (bytes[position] == UInt8(ascii: "\r") && position + 1 >= bytes.count)
    }

    private func isDelimiter(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n")
            || (byte == UInt8(ascii: "\r") && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\n"))
    }
}
