import Crypto
import Foundation
import HeraldCore

/// One numbered SQL file from `sql/`, e.g. `0001_initial.sql`.
public struct Migration: Sendable, Equatable {
    /// The number before the underscore.
    public var version: Int
    /// The file name.
    public var name: String
    /// The file's text.
    public var sql: String
    /// SHA-256 of the file, hex: an applied migration whose file changes is refused.
    public var checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        checksum = TextEncoding.hex(SHA256.hash(data: Data(sql.utf8)))
    }

    /// The migrations shipped with Herald (`sql/` is copied into the Storage resource bundle,
    /// so the binary finds them from any working directory).
    public static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "sql", withExtension: nil) else {
            throw StorageError("Herald's migrations are missing from its resource bundle: rebuild Herald")
        }
        return try load(from: directory)
    }

    /// Reads every `NNNN_name.sql` in `directory`, in version order.
    ///
    /// - Throws: ``StorageError`` for a badly named file or two files with one version.
    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for name in names {
            guard name.range(of: "^[0-9]{4}_[a-z0-9_]+\\.sql$", options: .regularExpression) != nil,
                let version = Int(name.prefix(4))
            else {
                throw StorageError("sql/\(name): migration files are named NNNN_lowercase_name.sql")
            }
            if let twin = migrations.first(where: { $0.version == version }) {
                throw StorageError("sql/\(name) and sql/\(twin.name) share version \(version)")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}
