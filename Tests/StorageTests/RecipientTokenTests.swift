import Foundation
import HeraldCore
import Testing

@testable import Storage

/// Recipient tokens name a message without naming a person, and refuse any change.
struct RecipientTokenTests {
    static let secrets = try! SecretBox(base64: SecretBox.generateKey(), source: "a test key")

    @Test func aTokenVerifiesUnderItsWorkspaceKeyOnly() {
        let workspace = WorkspaceID(UUID())
        let key = RecipientToken.key(workspace: workspace, secrets: Self.secrets)
        let message = UUID()
        let token = RecipientToken.make(message: message, key: key)
        #expect(token.count == RecipientToken.length)
        #expect(RecipientToken.hasTokenShape(token))
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        #expect(RecipientToken.verify(token, key: key) == message)
        #expect(RecipientToken.message(in: token) == message)
        #expect(RecipientToken.make(message: message, key: key) == token)
        // Another workspace's key, another Herald's key.
        #expect(RecipientToken.verify(token, key: RecipientToken.key(workspace: WorkspaceID(UUID()), secrets: Self.secrets)) == nil)
        let other = try! SecretBox(base64: SecretBox.generateKey(), source: "another key")
        #expect(RecipientToken.verify(token, key: RecipientToken.key(workspace: workspace, secrets: other)) == nil)
    }

    @Test func everyChangedCharacterIsRefused() throws {
        let key = RecipientToken.key(workspace: WorkspaceID(UUID()), secrets: Self.secrets)
        let token = Array(RecipientToken.make(message: UUID(), key: key))
        for index in token.indices {
            var changed = token
            changed[index] = changed[index] == "A" ? "B" : "A"
            #expect(RecipientToken.verify(String(changed), key: key) == nil, "position \(index)")
        }
        #expect(RecipientToken.verify(String(token.dropLast()), key: key) == nil)
        // The last character's two low bits carry no data (43 characters hold 258 bits for 256): a base64 decoder reads
        // the same bytes from its three other spellings, and they are refused too (a CI run drew a token where changing
        // the last character to "A" or "B" was one of them).
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = try #require(alphabet.firstIndex(of: token[token.count - 1]))
        #expect(last & 3 == 0, "a token ends in a character whose low bits are zero")
        for padding in 1...3 {
            var respelled = token
            respelled[token.count - 1] = alphabet[last | padding]
            #expect(RecipientToken.verify(String(respelled), key: key) == nil, "spelling \(padding)")
            #expect(RecipientToken.message(in: String(respelled)) == nil, "spelling \(padding)")
        }
        #expect(RecipientToken.verify(String(token) + "A", key: key) == nil)
    }

    @Test func tokensAreToldFromPublicationCodesByShape() {
        #expect(!RecipientToken.hasTokenShape(TrackingLink.newCode()))
        #expect(!RecipientToken.hasTokenShape(String(repeating: "a", count: 42) + "!"))
    }
}
