import Foundation
import PostgresNIO

@testable import Storage

/// Searches a whole database for a piece of text: what an erasure test uses to show that nothing names the person.
enum DatabaseSearch {
    /// Every `table.column` of the database's own schemas whose text (any text-like, JSON or array column, read as text)
    /// contains `text`, ignoring case.
    static func tables(containing text: String, in database: Database) async throws -> [String] {
        let columns = try await database.client.query(
            """
            SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND t.table_type = 'BASE TABLE'
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')
                   OR c.udt_name IN ('citext', 'name'))
            ORDER BY 1, 2, 3
            """,
            logger: database.logger
        )
        var found: [String] = []
        for try await (schema, table, column) in columns.decode((String, String, String).self) {
            let sql = "SELECT count(*)::int FROM \(quoted(schema)).\(quoted(table)) WHERE strpos(lower(\(quoted(column))::text), lower($1)) > 0"
            var binds = PostgresBindings()
            binds.append(text)
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
            for try await count in rows.decode(Int.self) where count > 0 { found.append("\(schema).\(table).\(column)") }
        }
        return found
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
