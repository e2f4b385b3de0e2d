import Testing

@testable import Storage

struct SQLScriptTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (t text DEFAULT 'x;y', "odd;name" int);
            /* block; /* nested; */ still */ INSERT INTO a VALUES ('it''s; fine');
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END; $$;
            CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$;
            SELECT 1
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix(#"CREATE TABLE a (t text DEFAULT 'x;y', "odd;name" int)"#))
        #expect(statements[1].hasSuffix("INSERT INTO a VALUES ('it''s; fine')"))
        #expect(statements[2] == "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END; $$")
        #expect(statements[3] == "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b' $body$")
        #expect(statements[4] == "SELECT 1")
    }

    @Test func trailingCommentIsNoStatement() {
        #expect(SQLScript.statements(in: "SELECT 1;\n-- end\n") == ["SELECT 1"])
    }
}
