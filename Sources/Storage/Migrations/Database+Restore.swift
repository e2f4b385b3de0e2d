import Logging
import PostgresNIO

extension Database {
    /// How many tables, views, sequences, routines and types the `public` schema holds (Herald keeps all of its own
    /// there): 0 for a database that has nothing a restore would replace.
    public func publicObjectCount() async throws -> Int {
        let rows = try await client.query(
            """
            SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f'))
                 + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Drops everything in the `public` schema (tables with their partitions, views, sequences, routines, types and
    /// domains), in one transaction, keeping the schema itself with its owner and privileges: what `herald db restore`
    /// does before restoring an archive, so the archive's objects and the migrations after it never meet leftovers.
    public func dropPublicObjects() async throws {
        try await client.execute(
            """
            DO $drop$
            DECLARE
                item record;
            BEGIN
                FOR item IN
                    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition
                LOOP
                    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
                                   CASE item.relkind WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, item.relname);
                END LOOP;
                FOR item IN
                    SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm', 'S')
                LOOP
                    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
                                   CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'SEQUENCE' END,
                                   item.relname);
                END LOOP;
                FOR item IN
                    SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p', 'a', 'w')
                LOOP
                    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.signature);
                END LOOP;
                FOR item IN
                    SELECT t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'c')
                      AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                LOOP
                    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
                                   CASE item.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, item.typname);
                END LOOP;
            END
            $drop$
            """,
            logger: logger
        )
    }
}
