import Connectors
import Foundation
import HeraldCore

/// `POST /v1/channels`: `{"name", "kind", "base_url", "handle"?, "credentials": {"access_token"?, "refresh_token"?,
/// "app_password"?, "signing_secret"?, "client_id"?, "client_secret"?}}`.
struct CreateAccountRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, kind, handle, credentials
        case baseURL = "base_url"
    }

    var name: String
    var kind: AccountKind
    var baseURL: String
    var handle: String?
    var credentials: Credentials

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        name = try fields.requiredString(.name)
        let kindName = try fields.requiredString(.kind)
        guard let kind = AccountKind(rawValue: kindName) else {
            throw ValidationError(field: "kind", reason: "\"\(kindName)\" is not one of \(AccountKind.names)")
        }
        self.kind = kind
        baseURL = try fields.requiredString(.baseURL)
        handle = try fields.string(.handle)
        guard fields.contains(.credentials) else { throw ValidationError(field: "credentials", reason: "is required") }
        do {
            credentials = try fields.decode(CredentialsBody.self, forKey: .credentials).credentials
        } catch var error as ValidationError {
            error.field = "credentials.\(error.field)"
            throw error
        } catch {
            throw ValidationError(field: "credentials", reason: "must be an object")
        }
        let needed: (String, String?) =
            switch kind {
            case .mastodon, .x, .linkedin: ("access_token", credentials.accessToken)
            case .bluesky: ("app_password", credentials.appPassword)
            case .webhook: ("signing_secret", credentials.signingSecret)
            }
        guard let value = needed.1, !value.isEmpty else {
            throw ValidationError(field: "credentials.\(needed.0)", reason: "is required for a \(kind.rawValue) account")
        }
    }

    /// The `credentials` object: strings only, no unknown fields.
    struct CredentialsBody: Decodable {
        enum CodingKeys: String, CodingKey, CaseIterable {
            case accessToken = "access_token"
            case refreshToken = "refresh_token"
            case appPassword = "app_password"
            case signingSecret = "signing_secret"
            case clientID = "client_id"
            case clientSecret = "client_secret"
        }

        var credentials: Credentials

        init(from decoder: any Decoder) throws {
            let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
            credentials = Credentials(
                accessToken: try fields.string(.accessToken),
                refreshToken: try fields.string(.refreshToken),
                clientID: try fields.string(.clientID),
                clientSecret: try fields.string(.clientSecret),
                appPassword: try fields.string(.appPassword),
                signingSecret: try fields.string(.signingSecret)
            )
        }
    }
}
