import Foundation
import Hummingbird
import Storage

/// The CSRF token of every form: a hidden field `csrf` that must equal the session's secret, or, before signing in
/// (the sign-in and invitation forms), the value of the `herald_form` cookie that the form's page set.
enum CSRF {
    /// The hidden field's name.
    static let field = "csrf"
    /// The cookie of forms shown before signing in.
    static let formCookie = "herald_form"

    /// Whether `given` equals `expected`, in time that does not depend on where they differ.
    static func matches(_ given: String?, _ expected: String?) -> Bool {
        guard let given, let expected, !expected.isEmpty else { return false }
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// The `csrf` field of a posted form (other fields are read by the route).
struct CSRFField: Decodable {
    var csrf: String?
}
