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
}
