import Foundation
import NIOSSL
import PostgresNIO

/// Where the database is and how to reach it, parsed from a `postgres://` URL.
public struct DatabaseConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `disable`, `prefer` or `require` (libpq's `sslmode`); `disable` by default on loopback, else `prefer`.
    public var sslMode: String
    /// Most connections the pool opens.
    public var maximumConnections: Int
    /// How long making one connection may take. An operation that waits for a connection checks, after a moment, that
    /// the database can be reached at all; when no connection can be made within this, it fails with
    /// ``DatabaseUnavailable`` instead of waiting (the API answers 503). Default 2 s.
    public var connectDeadline: Duration = .seconds(2)
    /// The server-side limit on any one statement (`statement_timeout`, sent when each connection starts); nil for none.
    /// Default 30 s. Long bulk paths (CSV imports, migrations) lift it for their own work
    /// (``Database/allowingLongStatements()``).
    public var statementTimeout: Duration? = .seconds(30)

    /// Parses `postgres://user:password@host:port/database?sslmode=...`; `connect_timeout` (seconds, as libpq) sets
    /// ``connectDeadline`` and `statement_timeout` (milliseconds, 0 for none) ``statementTimeout``.
    ///
    /// - Throws: ``StorageError`` naming the part of the URL that is wrong.
    public init(url: String, maximumConnections: Int = 20) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw StorageError("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StorageError("DATABASE_URL has no host (postgres://user:password@HOST:5432/database)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StorageError("DATABASE_URL has no user (postgres://USER:password@host:5432/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StorageError("DATABASE_URL has no database name (postgres://user:password@host:5432/DATABASE)")
        }
        self.host = host
        port = components.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        let isLoopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? (isLoopback ? "disable" : "prefer")
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw StorageError("DATABASE_URL sslmode \"\(sslMode)\" is not one of disable, prefer, require, verify-full")
        }
        self.maximumConnections = maximumConnections
        let items = components.queryItems ?? []
        if let text = items.first(where: { $0.name == "connect_timeout" })?.value {
            guard let seconds = Double(text), seconds > 0 else {
                throw StorageError("DATABASE_URL connect_timeout \"\(text)\" must be a positive number of seconds")
            }
            connectDeadline = .milliseconds(Int(seconds * 1_000))
        }
        if let text = items.first(where: { $0.name == "statement_timeout" })?.value {
            guard let milliseconds = Int(text), milliseconds >= 0 else {
                throw StorageError("DATABASE_URL statement_timeout \"\(text)\" must be milliseconds (0 for none)")
            }
            statementTimeout = milliseconds == 0 ? nil : .milliseconds(milliseconds)
        }
    }

    /// The same server, another database (e.g. `postgres` to create databases).
    public func with(database: String) -> DatabaseConfiguration {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL, with the password hidden.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The URL, password included: for child processes.
    public var url: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host
        components.port = port
        components.path = "/" + database
        // Settings that differ from the defaults travel with the URL, so a child process behaves as this one does.
        var items: [URLQueryItem] = []
        if connectDeadline != .seconds(2) {
            // Whole seconds, as libpq reads it (pg_dump and psql take the same URL).
            items.append(URLQueryItem(name: "connect_timeout", value: "\((Self.milliseconds(connectDeadline) + 999) / 1_000)"))
        }
        if statementTimeout != .seconds(30) {
            items.append(URLQueryItem(name: "statement_timeout", value: "\(statementTimeout.map(Self.milliseconds) ?? 0)"))
        }
        if !items.isEmpty { components.queryItems = items }
        return components.string ?? description
    }

    /// The PostgresNIO client configuration.
    public func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable", "allow":
            tls = .disable
        case "prefer":
            tls = .prefer(Self.unverifiedTLS())
        case "require":
            tls = .require(Self.unverifiedTLS())
        default:
            tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        // The pool's own attempts may take longer than the probe's deadline: on a loaded machine a connection can be
        // slow to make while the database is fine (the probe, not the pool, decides that it is down).
        configuration.options.connectTimeout = max(connectDeadline, .seconds(10))
        if let statementTimeout {
            configuration.options.additionalStartupParameters = [("statement_timeout", "\(Self.milliseconds(statementTimeout))")]
        }
        return configuration
    }

    /// The configuration of one connection made outside the pool, to check that the database can be reached.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable", "allow":
            tls = .disable
        case "prefer":
            tls = .prefer(try NIOSSLContext(configuration: Self.unverifiedTLS()))
        case "require":
            tls = .require(try NIOSSLContext(configuration: Self.unverifiedTLS()))
        default:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.connectTimeout = .nanoseconds(Int64(Self.milliseconds(connectDeadline)) * 1_000_000)
        return configuration
    }

    /// Whether `other` names the same server and database as the same user (the address a pool connects to).
    func isSameAddress(as other: DatabaseConfiguration) -> Bool {
        host == other.host && port == other.port && database == other.database && username == other.username
            && password == other.password
    }

    /// `duration` in whole milliseconds, at least 1.
    static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int(duration.components.seconds) * 1_000 + Int(duration.components.attoseconds / 1_000_000_000_000_000))
    }

    /// libpq's `require` and `prefer` encrypt without verifying the certificate.
    private static func unverifiedTLS() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
