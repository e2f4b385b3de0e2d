import Foundation
import Hummingbird

/// The cookies of the back office: HttpOnly, SameSite=Lax, Path=/app, Secure when served over HTTPS.
struct SessionCookie {
    /// The session cookie's name.
    static let name = "herald_session"

    /// Whether cookies are Secure for this request.
    let secure: Bool

    /// The session cookie holding `secret`, lasting `maxAge` seconds.
    func session(_ secret: String, maxAge: Int) -> Cookie {
        Cookie(name: Self.name, value: secret, maxAge: maxAge, path: "/app", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// A cookie that removes `name`.
    func removing(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/app", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The cookie of forms shown before signing in (see ``CSRF``).
    func form(_ value: String) -> Cookie {
        Cookie(name: CSRF.formCookie, value: value, maxAge: 3_600, path: "/app", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
