import Foundation

/// Where and how to reach the SMTP server, from `HERALD_SMTP_URL`.
///
/// - `smtp://user:pass@host:port`: plain SMTP (default port 25); the server's STARTTLS offer is not taken.
/// - `smtp+starttls://user:pass@host:port`: STARTTLS is required before anything else (default port 587).
/// - `smtps://user:pass@host:port`: TLS from the first byte (RFC 8314, default port 465).
///
/// User and password are optional (no AUTH without them) and percent-decoded (`p%40ss` is `p@ss`).
///
/// ```swift
/// try SMTPServerURL(parsing: "smtp+starttls://news%40example.com:s3cret@mail.example.com")
/// // host mail.example.com, port 587, user news@example.com
/// ```
public struct SMTPServerURL: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Equatable {
        case plain = "smtp"
        case startTLS = "smtp+starttls"
        case implicitTLS = "smtps"

        /// The port used when the URL names none.
        public var defaultPort: Int {
            switch self {
            case .plain: 25
            case .startTLS: 587
            case .implicitTLS: 465
            }
        }
    }

    public var security: Security
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    public init(security: Security, host: String, port: Int? = nil, username: String? = nil, password: String? = nil) {
        self.security = security
        self.host = host
        self.port = port ?? security.defaultPort
        self.username = username
        self.password = password
    }

    /// Parses `text` (the value of `HERALD_SMTP_URL`).
    ///
    /// - Throws: ``SMTPServerURLError`` naming what is wrong: the scheme, the host, the port, a bad percent escape.
    public init(parsing text: String) throws(SMTPServerURLError) {
        guard let schemeEnd = text.range(of: "://") else {
            throw SMTPServerURLError("\"\(Self.redacted(text))\" is not a URL like smtp://user:pass@host:port")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard let security = Security(rawValue: scheme) else {
            throw SMTPServerURLError("scheme \"\(scheme)\" is not one of smtp, smtp+starttls, smtps")
        }
        var authority = text[schemeEnd.upperBound...]
        var username: String?
        var password: String?
        // The last @ ends the user information, so an unescaped @ (or / ? #) in a password still works; it is split
        // off first, and no error below quotes any part of it.
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let user = userinfo.firstIndex(of: ":").map { userinfo[..<$0] } ?? userinfo
            guard let decoded = String(user).removingPercentEncoding else {
                throw SMTPServerURLError("the user name has a bad percent escape")
            }
            username = decoded.isEmpty ? nil : decoded
            if let colon = userinfo.firstIndex(of: ":") {
                guard let decoded = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding else {
                    throw SMTPServerURLError("the password has a bad percent escape")
                }
                password = decoded
            }
        }
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard authority[slash...].allSatisfy({ $0 == "/" }) else {
                throw SMTPServerURLError("an SMTP URL has no path or query (after \"\(authority[..<slash])\")")
            }
            authority = authority[..<slash]
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw SMTPServerURLError("the IPv6 address has no closing \"]\"") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw SMTPServerURLError("unexpected \"\(rest)\" after the host") }
                portText = rest.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw SMTPServerURLError("the URL names no host") }
        var port: Int?
        if let portText {
            guard let number = Int(portText), (1...65_535).contains(number) else {
                throw SMTPServerURLError("port \"\(portText)\" is not a number from 1 to 65535")
            }
            port = number
        }
        if password != nil && username == nil { throw SMTPServerURLError("a password is given without a user name") }
        self.init(security: security, host: String(host), port: port, username: username, password: password)
    }

    /// `host:port`, as logs show the server.
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The URL with the password left out.
    public var description: String {
        let user =
            username.map { (($0.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? $0) + (password == nil ? "" : ":***")) + "@" } ?? ""
        return "\(security.rawValue)://\(user)\(address)"
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        return "…" + text[at...]
    }
}

/// `HERALD_SMTP_URL` could not be read.
public struct SMTPServerURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "HERALD_SMTP_URL: \(reason)" }
}
