/// How a person is named in a request about them (`herald contacts export ADDRESS`): an email address or a phone
/// number, normalised as contacts store them.
public enum ContactAddress: Sendable, Hashable, CustomStringConvertible {
    case email(EmailAddress)
    case phone(PhoneNumber)

    /// An email when the text has an `@`, else a phone.
    ///
    /// - Throws: ``ValidationError`` on `address` saying what is wrong.
    public init(parsing text: String) throws(ValidationError) {
        if text.contains("@") {
            self = .email(try EmailAddress(parsing: text, field: "address"))
        } else {
            self = .phone(try PhoneNumber(parsing: text, field: "address"))
        }
    }

    /// The normalised address (the email, or the phone in E.164).
    public var normalized: String {
        switch self {
        case .email(let email): email.normalized
        case .phone(let phone): phone.e164
        }
    }

    public var description: String { normalized }
}
