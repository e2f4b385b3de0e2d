import Crypto
import Foundation

/// A Proof Key for Code Exchange pair (RFC 7636): the secret code verifier the client keeps, and the S256 code
/// challenge it sends with the authorization request.
///
/// Example (RFC 7636 appendix B): the verifier `dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk` has the challenge
/// `E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM`.
public struct PKCE: Sendable, Equatable {
    /// The code verifier: 43–128 characters of the unreserved set `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
    public let verifier: String
    /// `BASE64URL(SHA256(ASCII(verifier)))` without padding.
    public let challenge: String
    /// The challenge method Herald always uses.
    public static let method = "S256"

    /// The characters a verifier may hold (RFC 7636 section 4.1).
    static let unreserved = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A pair for the given verifier.
    ///
    /// - Throws: ``OAuthError`` when the verifier is shorter than 43, longer than 128 characters, or holds a character
    ///   outside the unreserved set.
    public init(verifier: String) throws {
        guard (43...128).contains(verifier.count) else {
            throw OAuthError("a PKCE code verifier has 43 to 128 characters, not \(verifier.count)")
        }
        guard verifier.allSatisfy({ Self.unreserved.contains($0) }) else {
            throw OAuthError("a PKCE code verifier holds only letters, digits, '-', '.', '_' and '~'")
        }
        self.verifier = verifier
        self.challenge = Self.challenge(for: verifier)
    }

    /// A fresh pair with a 64-character verifier drawn from `generator`.
    public static func generate(using generator: inout some RandomNumberGenerator) -> PKCE {
        let verifier = String((0..<64).map { _ in unreserved.randomElement(using: &generator)! })
        // Valid by construction: 64 characters of the unreserved set.
        return try! PKCE(verifier: verifier)
    }

    /// A fresh pair from the system's secure generator.
    public static func generate() -> PKCE {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// The S256 challenge of `verifier`.
    public static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Base64url without padding (RFC 7636 appendix A).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
