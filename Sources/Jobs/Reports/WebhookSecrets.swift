import HeraldCore

/// The webhook secrets a worker can sign with: environment variables whose names start with
/// `HERALD_WEBHOOK_`, read once at startup (so a job payload can name a secret but never read
/// any other variable, and the secret never enters the database).
public struct WebhookSecrets: Sendable {
    /// The prefix every secret's variable name must have.
    public static let prefix = "HERALD_WEBHOOK_"
    private let values: [String: String]

    /// Keeps the `HERALD_WEBHOOK_*` entries of `environment`.
    public init(_ environment: [String: String]) {
        values = environment.filter { $0.key.hasPrefix(Self.prefix) && !$0.value.isEmpty }
    }

    /// Checks that `name` may hold a webhook secret.
    public static func validate(name: String) throws(ValidationError) {
        guard name.hasPrefix(prefix), name.count > prefix.count,
            name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") })
        else {
            throw ValidationError(
                field: "webhook_secret_env",
                reason: "\"\(name)\" must be an environment variable named \(prefix)<NAME> (capitals, digits, _)"
            )
        }
    }

    /// The secret in the variable `name`.
    ///
    /// - Throws: ``ValidationError`` when the name is not allowed or the worker's environment does not set it.
    public func secret(named name: String) throws(ValidationError) -> String {
        try Self.validate(name: name)
        guard let value = values[name] else {
            throw ValidationError(field: "webhook_secret_env", reason: "\(name) is not set in the worker's environment")
        }
        return value
    }
}
