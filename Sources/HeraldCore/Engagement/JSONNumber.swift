/// The JSON number grammar (RFC 8259, section 6), for the fast events reader and for the numbers that
/// `JSONDecoder` wrongly refuses.
enum JSONNumber {
    /// The index just past the JSON number that starts at `start`, or nil when none starts there.
    ///
    /// The number is the longest that the grammar allows (`-`, an integer part without leading zeros, an optional
    /// fraction and exponent); whatever follows it is the caller's to check.
    static func end(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var position = start
        func isDigit(_ index: Int) -> Bool { index < bytes.count && (48...57).contains(bytes[index]) }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else { return nil }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard isDigit(position) else { return nil }
            while isDigit(position) { position += 1 }
        }
        return position
    }

    /// `bytes` with each JSON number outside strings whose value is zero written as `0` (or `-0`) and padded with
    /// spaces to its length, or nil when there is none to rewrite.
    ///
    /// swift-foundation's `JSONDecoder` will not decode a Double from some numbers that are zero but written with an
    /// exponent (`0e5`, `-0.0e-3`, `0.00E04`) or too small for a Double (`1e-400`), though RFC 8259 allows both and
    /// both read as zero. Only whole numbers of the grammar are rewritten, into the same value, so the rewriting never
    /// turns what is not JSON into JSON; and every other byte keeps its line and column, so errors point at the same
    /// place.
    static func zerosWrittenPlainly(_ bytes: [UInt8]) -> [UInt8]? {
        bytes.withUnsafeBufferPointer { buffer in
            var output: [UInt8] = []
            var copied = 0
            var position = 0
            var inString = false
            while position < buffer.count {
                let byte = buffer[position]
                if inString {
                    // A raw line end never belongs to a JSON string: a string left open ends with its line, so that a
                    // broken NDJSON line does not turn the next lines' strings inside out.
                    if byte == UInt8(ascii: "\\"), position + 1 < buffer.count, buffer[position + 1] != 0x0A {
                        position += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") || byte == 0x0A { inString = false }
                    position += 1
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    inString = true
                    position += 1
                    continue
                }
                guard isNumberByte(byte) else {
                    position += 1
                    continue
                }
                // The longest run of bytes a number is made of: rewritten only when the whole run is one number.
                let start = position
                while position < buffer.count, isNumberByte(buffer[position]) { position += 1 }
                guard JSONNumber.end(in: buffer, from: start) == position else { continue }
                let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
                guard let value = Double(text), value == 0 else { continue }
                let plain: [UInt8] = value.sign == .minus ? [UInt8(ascii: "-"), UInt8(ascii: "0")] : [UInt8(ascii: "0")]
                guard !buffer[start..<position].elementsEqual(plain) else { continue }
                output.append(contentsOf: buffer[copied..<start])
                output.append(contentsOf: plain)
                output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: position - start - plain.count))
                copied = position
            }
            guard copied > 0 else { return nil }
            output.append(contentsOf: buffer[copied...])
            return output
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }
}
