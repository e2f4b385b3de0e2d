import Foundation
import Testing

/// Storage owns the database: no module but Storage writes SQL or reaches the pool.
struct SQLPlacementTests {
    /// The package's `Sources` folder, found from this file's place in `Tests/StorageTests`.
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// What gives SQL or the pool away in Swift source.
    static var patterns: [(name: String, regex: Regex<AnyRegexOutput>)] {
        [
            (
                "a statement keyword",
                try! Regex(
                    #"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|TRUNCATE\s+\w|CREATE\s+(TABLE|INDEX|DATABASE)|DROP\s+(TABLE|DATABASE)|ALTER\s+TABLE)"#
                )
            ),
            ("the pool", try! Regex(#"\.client\.(query|execute|withConnection|withTransaction)\b"#)),
            ("PostgresQuery", try! Regex(#"PostgresQuery|unsafeSQL"#)),
            ("a transaction", try! Regex(#"\.withTransaction\b|\.transaction\s*\{"#)),
        ]
    }

    /// A cheap first look (Swift's regular expressions are slow over the whole tree): words every pattern needs.
    static func mayHoldSQL(_ line: Substring) -> Bool {
        ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "DROP", "ALTER", ".client.", "PostgresQuery", "unsafeSQL", "ransaction"]
            .contains { line.contains($0) }
    }

    /// Every Swift file under `Sources` except Storage's, with its path relative to `Sources`.
    static func filesOutsideStorage() throws -> [(path: String, text: String)] {
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        var files: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let relative = String(url.path.dropFirst(sources.path.count + 1))
            guard !relative.hasPrefix("Storage/") else { continue }
            files.append((relative, try String(contentsOf: url, encoding: .utf8)))
        }
        return files
    }

    @Test func noSQLOutsideStorage() throws {
        let files = try Self.filesOutsideStorage()
        #expect(files.count > 50, "the sources were not found at \(Self.sources.path)")
        var found: [String] = []
        let patterns = Self.patterns
        for (path, text) in files {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }  // comments may name SQL
                guard Self.mayHoldSQL(line) else { continue }
                for pattern in patterns where line.contains(pattern.regex) {
                    found.append("Sources/\(path):\(number + 1): \(pattern.name): \(code)")
                }
            }
        }
        #expect(found.isEmpty, "SQL belongs in Sources/Storage; give the caller a named method there:\n\(found.joined(separator: "\n"))")
    }

    @Test func theCheckFindsSQL() {
        let offending = [
            #"try await database.client.query("SELECT 1", logger: logger)"#,
            #"let q: PostgresQuery = "UPDATE jobs SET state = 'x'""#,
            #"try await db.transaction { c in }"#,
            #""DELETE FROM events WHERE id = $1""#,
        ]
        for line in offending {
            #expect(Self.mayHoldSQL(line[...]) && Self.patterns.contains { line.contains($0.regex) }, "not caught: \(line)")
        }
        let innocent = ["let selected = items.filter { $0.isSelected }", "/// Updates the campaign's name.", "print(\"select a campaign\")"]
        for line in innocent {
            #expect(!Self.patterns.contains { line.contains($0.regex) }, "caught wrongly: \(line)")
        }
    }
}
