import Connectors
import Testing

@Suite struct SMTPServerURLTests {
    @Test func parsesTheThreeSchemesWithDefaultPorts() throws {
        let plain = try SMTPServerURL(parsing: "smtp://mail.example.com")
        #expect(plain == SMTPServerURL(security: .plain, host: "mail.example.com", port: 25))
        let starttls = try SMTPServerURL(parsing: "smtp+starttls://news%40example.com:p%40ss%3Aword@mail.example.com")
        #expect(starttls.security == .startTLS && starttls.port == 587)
        #expect(starttls.username == "news@example.com" && starttls.password == "p@ss:word")
        let implicit = try SMTPServerURL(parsing: "SMTPS://u:p@[::1]:2465/")
        #expect(implicit.security == .implicitTLS && implicit.host == "::1" && implicit.port == 2465)
        #expect(implicit.address == "[::1]:2465")
    }

    @Test func anUnescapedAtInThePasswordStillWorks() throws {
        let url = try SMTPServerURL(parsing: "smtp://user:p@ss@127.0.0.1:2525")
        #expect(url.username == "user" && url.password == "p@ss" && url.host == "127.0.0.1" && url.port == 2525)
    }

    @Test func neverShowsThePassword() throws {
        let url = try SMTPServerURL(parsing: "smtp://user:secret@mx:25")
        #expect(url.description == "smtp://user:***@mx:25")
    }

    @Test func saysWhatIsWrong() {
        let cases: [(String, String)] = [
            ("http://mx", "HERALD_SMTP_URL: scheme \"http\" is not one of smtp, smtp+starttls, smtps"),
            ("mx:25", "HERALD_SMTP_URL: \"mx:25\" is not a URL like smtp://user:pass@host:port"),
            ("smtp://mx:99999", "HERALD_SMTP_URL: port \"99999\" is not a number from 1 to 65535"),
            ("smtp://mx:abc", "HERALD_SMTP_URL: port \"abc\" is not a number from 1 to 65535"),
            ("smtp://user:pw@", "HERALD_SMTP_URL: the URL names no host"),
            ("smtp://mx/path", "HERALD_SMTP_URL: an SMTP URL has no path or query (after \"mx\")"),
            ("smtp://us%ZZer:pw@mx", "HERALD_SMTP_URL: the user name has a bad percent escape"),
        ]
        for (text, message) in cases {
            #expect(throws: SMTPServerURLError.self) { try SMTPServerURL(parsing: text) }
            do {
                _ = try SMTPServerURL(parsing: text)
            } catch {
                #expect(String(describing: error) == message)
            }
        }
    }

    @Test func aPasswordWithSlashesOrQuestionMarksParsesAndNeverAppearsInAnError() throws {
        let url = try SMTPServerURL(parsing: "smtp://user:pa/ss?w#rd@mail.example.com:587")
        #expect(url.password == "pa/ss?w#rd" && url.host == "mail.example.com" && url.port == 587)
        do {
            _ = try SMTPServerURL(parsing: "smtp://user:s3cr/et@mail.example.com:notaport")
            Issue.record("a bad port was accepted")
        } catch {
            #expect(!"\(error)".contains("s3cr"))
        }
    }
}
