import Foundation
import HeraldCore
import HeraldTestSupport
import PostgresNIO
import Testing

@testable import Storage

struct ContactImportScaleTests {
    /// A value of `/proc/self/status` in kB (`VmRSS`, `VmHWM`), 0 where there is none.
    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// Writes a contacts file of `rows` rows, one of them (`bad`, a line number) an address without an @.
    static func writeFile(_ url: URL, rows: Int, badLine: Int) throws {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var chunk = "email,name,time_zone,plan\n"
        let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", ""]
        for row in 1...rows {
            let line = row + 1
            if line == badLine {
                chunk += "person\(row).example.com,Person \(row),UTC,free\n"
            } else {
                chunk += "person\(row)@Example.com,Person \(row),\(zones[row % 4]),\(row % 3 == 0 ? "pro" : "free")\n"
            }
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }

    /// A million rows with one bad row near the end: nothing is written, the error names the line, and the import
    /// streams the file from disk (the process's peak memory grows by far less than the file and its rows would take).
    @Test(.timeLimit(.minutes(10))) func aMillionRowsWithOneBadRowWriteNothingAndNameTheLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-million-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("contacts.csv")
        let badLine = 999_990
        try Self.writeFile(file, rows: 1_000_000, badLine: badLine)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        #expect(size > 45_000_000)

        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let store = ContactStore(database, secrets: try SecretBox(base64: SecretBox.generateKey(), source: "a test key"))
            let before = Self.status("VmRSS")
            var fractions: [Double] = []
            let started = ContinuousClock.now
            await #expect {
                try await store.importCSV(workspace: workspace, file: file, list: "everyone") { fractions.append($0) }
            } throws: { error in
                let errors = (error as? ValidationErrors)?.errors.map(\.description) ?? []
                return errors.count == 1
                    && errors[0].hasPrefix("contacts.csv:\(badLine): email: \"person\(badLine - 1).example.com\" is not an email address")
            }
            let peakGrowth = Self.status("VmHWM") - before
            database.logger.warning(
                "a million-row contact import",
                metadata: ["herald.seconds": "\(ContinuousClock.now - started)", "herald.peak_growth_kb": "\(peakGrowth)"]
            )
            #expect(peakGrowth < 200 * 1024, "peak memory grew by \(peakGrowth / 1024) MB for a \(size / 1_000_000) MB file")
            #expect(fractions.count > 20 && fractions.last == 1)
            for table in ["contacts", "contact_lists", "consent_changes", "suppressed_addresses"] {
                let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: database.logger)
                for try await count in rows.decode(Int.self) { #expect(count == 0, "\(table) has \(count) rows") }
            }
        }
    }
}
