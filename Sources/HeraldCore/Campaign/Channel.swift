/// A place where campaign content goes out.
public enum Channel: String, CaseIterable, Codable, Sendable {
    case x, instagram, linkedin, facebook, email, sms
}
