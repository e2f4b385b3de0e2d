import Foundation
import HeraldCore
import PropertyBased
import Testing

struct CSVReaderTests {
    func records(_ text: String) throws -> [CSVReader.Record] {
        var reader = CSVReader(bytes: Array(text.utf8))
        var records: [CSVReader.Record] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    @Test func readsQuotesLineBreaksAndLineNumbers() throws {
        let parsed = try records("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",z\nlast,\n")
        #expect(parsed.map(\.fields) == [["a", "b"], ["x,1", "say \"hi\""], ["multi\nline", "z"], ["last", ""]])
        #expect(parsed.map(\.line) == [1, 2, 4, 6])
    }

    @Test func unclosedQuoteNamesItsLine() {
        #expect {
            try records("a,b\n1,\"open\n2,3\n")
        } throws: { error in
            "\(error)".contains("line 2") && "\(error)".contains("never closed")
        }
    }

    @Test func writtenFieldsReadBackUnchanged() async throws {
        let alphabet = Array("ab ,\"\n\r1é")
        let field = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }.string(of: 0...6)
        await propertyCheck(input: field.array(of: 1...5).array(of: 1...6)) { rows in
            let text = rows.map { row in
                row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
            }.joined(separator: "\n")
            let parsed = try? records(text)
            #expect(parsed?.map(\.fields) == rows)
        }
    }

    /// Read in chunks of any size, a file gives the same records, lines and errors as read whole.
    @Test func chunkedInputReadsLikeWholeInput() async throws {
        let alphabet = Array("ab ,\"\n\r1é")
        let text = Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }.string(of: 0...60)
        await propertyCheck(count: 400, input: text, Gen.int(in: 1...7)) { text, chunk in
            let whole = Result { try records(text) }.map { $0 }
            var reader = CSVReader(expectedSize: text.utf8.count)
            var chunked: [CSVReader.Record] = []
            let bytes = Array(text.utf8)
            let outcome = Result { () throws -> [CSVReader.Record] in
                var offset = 0
                while true {
                    while let record = try reader.next() { chunked.append(record) }
                    if reader.isAtEnd { return chunked }
                    if offset < bytes.count {
                        reader.append(bytes[offset..<min(offset + chunk, bytes.count)])
                        offset += chunk
                    } else {
                        reader.finish()
                    }
                }
            }
            switch (whole, outcome) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(text.debugDescription) in chunks of \(chunk)")
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(text.debugDescription)")
            default: Issue.record("whole \(whole) but chunked \(outcome) for \(text.debugDescription) in chunks of \(chunk)")
            }
        }
    }
}
