import EmbeddedPostgres
import Foundation

/// A real SMTP server on a free loopback port, for the tests of Herald's SMTP client: Python's aiosmtpd
/// (`apt-get install python3-aiosmtpd`; `.ci/run` installs it) run as a child process.
///
/// It stores every message it accepts as two files in ``directory`` (`NNNNNN.eml`, the raw bytes as received, and
/// `NNNNNN.json`, the envelope), offers STARTTLS with a self-signed certificate made at start (``certificatePath``,
/// for the client's trust roots) and AUTH PLAIN/LOGIN, and answers chosen recipients as a real server would:
///
/// - a local part starting with `bounce`: `550 5.1.1` to RCPT TO (a hard bounce);
/// - `tempfail`: `451 4.3.0` to RCPT TO;
/// - `rejectdata`: `554 5.7.1` to the end of DATA;
/// - `blackhole`: no answer to the end of DATA at all (the message may or may not have been taken);
/// - `hangup`: the connection closed, without an answer, once the end of DATA has come.
///
/// With ``Options/pipelining`` it offers PIPELINING (RFC 2920), which aiosmtpd's sequential reading of commands serves.
public final class SMTPTestServer: Sendable {
    /// How the server behaves.
    public struct Options: Sendable {
        /// Offer STARTTLS.
        public var startTLS: Bool
        /// Refuse everything but EHLO, STARTTLS and QUIT before TLS.
        public var requireTLS: Bool
        /// Require AUTH with ``SMTPTestServer/username`` and ``SMTPTestServer/password`` (allowed without TLS).
        public var auth: Bool
        /// The AUTH mechanisms offered (aiosmtpd speaks PLAIN and LOGIN).
        public var authMechanisms: [String]
        /// Offer PIPELINING in the EHLO reply.
        public var pipelining: Bool

        public init(
            startTLS: Bool = true,
            requireTLS: Bool = false,
            auth: Bool = false,
            authMechanisms: [String] = ["PLAIN", "LOGIN"],
            pipelining: Bool = false
        ) {
            self.startTLS = startTLS
            self.requireTLS = requireTLS
            self.auth = auth
            self.authMechanisms = authMechanisms
            self.pipelining = pipelining
        }
    }

    /// One message the server accepted.
    public struct Received: Sendable, Decodable {
        public var mailFrom: String
        public var rcptTos: [String]
        /// Whether the session was under TLS (STARTTLS) when the message came.
        public var tls: Bool
        /// The AUTH mechanism the session used, if any.
        public var authMechanism: String?
        public var authLogin: String?
        /// The file holding the raw bytes.
        public var file: String

        enum CodingKeys: String, CodingKey {
            case mailFrom = "mail_from"
            case rcptTos = "rcpt_tos"
            case tls
            case authMechanism = "auth_mechanism"
            case authLogin = "auth_login"
            case file
        }

        /// The message's bytes as received (after the server undid the dot-stuffing).
        public func raw() throws -> Data {
            try Data(contentsOf: URL(fileURLWithPath: file))
        }
    }

    public let port: Int
    public let directory: URL
    public let certificatePath: String
    public let username = "herald-user"
    public let password = "p@ss w:rd%"
    let process: RunningProcess

    init(port: Int, directory: URL, certificatePath: String, process: RunningProcess) {
        self.port = port
        self.directory = directory
        self.certificatePath = certificatePath
        self.process = process
    }

    /// Starts a server, runs `body` with it, and stops it.
    public static func with<T: Sendable>(_ options: Options = Options(), _ body: (SMTPTestServer) async throws -> T) async throws -> T {
        let server = try await start(options)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts a server and waits until it accepts connections.
    public static func start(_ options: Options = Options()) async throws -> SMTPTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("mail"), withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("smtp_test_server.py")
        try Data(Self.script.utf8).write(to: script)
        var arguments = [script.path, directory.path]
        if options.startTLS { arguments.append("--starttls") }
        if options.requireTLS { arguments.append("--require-tls") }
        if options.auth { arguments += ["--auth", options.authMechanisms.joined(separator: ",")] }
        if options.pipelining { arguments.append("--pipelining") }
        let process = try ProcessRunner.start(python, arguments)
        let ready = directory.appendingPathComponent("ready")
        // A loaded 2-core machine running the whole suite once took over a minute to start Python, make the
        // certificate and bind: the bound only catches a server that never comes up.
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: ready, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return SMTPTestServer(
                    port: port,
                    directory: directory.appendingPathComponent("mail"),
                    certificatePath: directory.appendingPathComponent("cert.pem").path,
                    process: process
                )
            }
            if kill(process.pid, 0) != 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.signal(SIGKILL)
        let output = await process.wait()
        throw SMTPTestServerError("the SMTP test server did not start (\(python) exit \(output.status)): \(output.standardError.suffix(2_000))")
    }

    /// Stops the server (SIGTERM, then waits) and removes its files.
    public func stop() async {
        process.signal(SIGTERM)
        _ = await process.wait()
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }

    /// The messages accepted so far, in the order they came.
    public func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            try JSONDecoder().decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
        }
    }

    /// A message as Python's `email` package reads it (`email.message_from_bytes` with the default policy).
    public struct Parsed: Sendable, Decodable {
        public struct Part: Sendable, Decodable {
            public var contentType: String
            public var charset: String?
            public var transferEncoding: String?
            /// The decoded body.
            public var content: String

            enum CodingKeys: String, CodingKey {
                case contentType = "content_type"
                case charset
                case transferEncoding = "transfer_encoding"
                case content
            }
        }

        /// Each header's decoded value (RFC 2047 words decoded), by its name as written.
        public var headers: [String: String]
        public var contentType: String
        public var boundary: String?
        /// The leaf parts (one for a single-part message).
        public var parts: [Part]
        /// The problems Python's parser found (none for a well-formed message).
        public var defects: [String]
        /// The longest line of the raw message, in bytes without the CRLF, and whether every line ended in CRLF.
        public var longestLine: Int
        public var bareLineFeeds: Int

        enum CodingKeys: String, CodingKey {
            case headers
            case contentType = "content_type"
            case boundary, parts, defects
            case longestLine = "longest_line"
            case bareLineFeeds = "bare_line_feeds"
        }
    }

    /// Parses `raw` with Python's email parser.
    public static func parse(_ raw: Data) async throws -> Parsed {
        let output = try await ProcessRunner.run(python, ["-c", parserScript], standardInput: raw)
        guard output.succeeded else { throw SMTPTestServerError("the email parser failed: \(output.standardError.suffix(2_000))") }
        return try JSONDecoder().decode(Parsed.self, from: Data(output.standardOutput.utf8))
    }

    /// The system Python, which has aiosmtpd (a pyenv shim on PATH may not).
    static let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

    static let parserScript = #"""
        import email, email.policy, json, sys
        raw = sys.stdin.buffer.read()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in (message.walk() if message.is_multipart() else [message]):
            if part.is_multipart():
                continue
            parts.append({"content_type": part.get_content_type(), "charset": part.get_content_charset(),
                          "transfer_encoding": part.get("Content-Transfer-Encoding"), "content": part.get_content()})
        defects = [type(d).__name__ for part in message.walk() for d in part.defects] + [type(d).__name__ for d in message.defects]
        lines = raw.split(b"\r\n")
        print(json.dumps({"headers": {k: str(v) for k, v in message.items()}, "content_type": message.get_content_type(),
                          "boundary": message.get_boundary(), "parts": parts, "defects": defects,
                          "longest_line": max(len(line) for line in lines), "bare_line_feeds": sum(line.count(b"\n") for line in lines)}))
        """#

    static let script = #"""
        import asyncio, json, os, signal, socket, ssl, subprocess, sys, threading
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        base = sys.argv[1]
        args = sys.argv[2:]
        mail = os.path.join(base, "mail")
        USER, PASSWORD = b"herald-user", b"p@ss w:rd%"

        def local(address):
            return address.split("@")[0].lower()

        class Handler:
            count = 0

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if local(address).startswith("bounce"):
                    return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
                if local(address).startswith("tempfail"):
                    return "451 4.3.0 <%s>: Temporary failure, try again later" % address
                envelope.rcpt_tos.append(address)
                return "250 2.1.5 OK"

            async def handle_DATA(self, server, session, envelope):
                if any(local(r).startswith("blackhole") for r in envelope.rcpt_tos):
                    await asyncio.sleep(3600)
                if any(local(r).startswith("hangup") for r in envelope.rcpt_tos):
                    server.transport.abort()
                    await asyncio.sleep(3600)
                if any(local(r).startswith("rejectdata") for r in envelope.rcpt_tos):
                    return "554 5.7.1 Message rejected as spam"
                Handler.count += 1
                name = "%06d" % Handler.count
                raw = envelope.original_content if envelope.original_content is not None else envelope.content
                with open(os.path.join(mail, name + ".eml.tmp"), "wb") as f:
                    f.write(raw)
                os.rename(os.path.join(mail, name + ".eml.tmp"), os.path.join(mail, name + ".eml"))
                meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None,
                        "auth_mechanism": getattr(session, "herald_mechanism", None),
                        "auth_login": getattr(session, "herald_login", None), "file": os.path.join(mail, name + ".eml")}
                with open(os.path.join(mail, name + ".json.tmp"), "w") as f:
                    json.dump(meta, f)
                os.rename(os.path.join(mail, name + ".json.tmp"), os.path.join(mail, name + ".json"))
                return "250 2.0.0 OK: queued as %s" % name

        async def offer_pipelining(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            return responses[:-1] + ["250-PIPELINING"] + responses[-1:]

        if "--pipelining" in args:
            Handler.handle_EHLO = offer_pipelining

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == USER and auth_data.password == PASSWORD
            if ok:
                session.herald_mechanism = mechanism
                session.herald_login = auth_data.login.decode()
            return AuthResult(success=ok, handled=False)

        kwargs = {"decode_data": False, "auth_require_tls": False}
        if "--starttls" in args:
            cert, key = os.path.join(base, "cert.pem"), os.path.join(base, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                           check=True, capture_output=True)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = "--require-tls" in args
        if "--auth" in args:
            offered = set(args[args.index("--auth") + 1].split(","))
            kwargs["authenticator"] = authenticator
            kwargs["auth_required"] = True
            kwargs["auth_exclude_mechanism"] = [m for m in ("PLAIN", "LOGIN") if m not in offered]

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        with open(os.path.join(base, "ready.tmp"), "w") as f:
            f.write(str(port))
        os.rename(os.path.join(base, "ready.tmp"), os.path.join(base, "ready"))
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        stop.wait()
        controller.stop()
        """#
}

/// The SMTP test server could not do what a test asked.
public struct SMTPTestServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
