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

    @Test func everyChangedCharacterIsRefused() {
        let key = RecipientToken.key(workspace: WorkspaceID(UUID()), secrets: Self.secrets)
        let token = Array(RecipientToken.make(message: UUID(), key: key))
        for index in token.indices {
            var changed = token
            changed[index] = changed[index] == "A" ? "B" : "A"
            #expect(RecipientToken.verify(String(changed), key: key) == nil, "position \(index)")
        }
        #expect(RecipientToken.verify(String(token.dropLast()), key: key) == nil)
        #expect(RecipientToken.verify(String(token) + "A", key: key) == nil)
    }

    @Test func tokensAreToldFromPublicationCodesByShape() {
        #expect(!RecipientToken.hasTokenShape(TrackingLink.newCode()))
        #expect(!RecipientToken.hasTokenShape(String(repeating: "a", count: 42) + "!"))
    }
}
