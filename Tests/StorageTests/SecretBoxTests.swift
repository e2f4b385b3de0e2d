import Foundation
import HeraldTestSupport
import Testing

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SecretBoxTests {
    static func box() throws -> SecretBox { try SecretBox(base64: SecretBox.generateKey(), source: "test") }

    @Test func sealThenOpenRoundTripsAndCarriesTheVersionAndKeyID() throws {
        let box = try Self.box()
        let secret = Data("s3cret-token".utf8)
        let sealed = try box.seal(secret, context: "account:one")
        #expect(sealed.keyID == box.keyID)
        #expect(sealed.keyID.count == 8 && sealed.keyID.allSatisfy(\.isHexDigit))
        #expect(sealed.sealed.first == 1)
        #expect(sealed.sealed.range(of: secret) == nil)
        #expect(try box.open(sealed.sealed, keyID: sealed.keyID, context: "account:one") == secret)
        // A fresh nonce each time.
        #expect(try box.seal(secret, context: "account:one").sealed != sealed.sealed)
    }

    @Test func aTamperedByteIsRefusedNamingTheKey() throws {
        let box = try Self.box()
        let sealed = try box.seal(Data("s3cret-token".utf8), context: "account:one")
        for index in [1, 13, sealed.sealed.count - 1] {
            var tampered = sealed.sealed
            tampered[index] ^= 0x01
            let error = try #require(throws: SecretError.self) { try box.open(tampered, keyID: sealed.keyID, context: "account:one") }
            #expect(error.code == .tampered)
            #expect(error.sealedWith == box.keyID)
            #expect(error.message.contains(box.keyID) && error.message.contains("reconnect"))
        }
        var versioned = sealed.sealed
        versioned[0] = 9
        #expect(throws: SecretError.self) { try box.open(versioned, keyID: sealed.keyID, context: "account:one") }
    }

    @Test func aWrongKeyIsRefusedNamingTheKeyThatSealedIt() throws {
        let sealer = try Self.box()
        let other = try Self.box()
        let sealed = try sealer.seal(Data("s3cret-token".utf8), context: "account:one")
        let error = try #require(throws: SecretError.self) { try other.open(sealed.sealed, keyID: sealed.keyID, context: "account:one") }
        #expect(error.code == .wrongKey)
        #expect(error.message.contains(sealer.keyID), "\(error.message)")
        #expect(error.message.contains("HERALD_SECRET_KEY") && error.message.contains("reconnect"))
        #expect(!error.message.contains("s3cret"))
        // A forged key id does not help: the key still has to open it.
        let forged = try #require(throws: SecretError.self) { try other.open(sealed.sealed, keyID: other.keyID, context: "account:one") }
        #expect(forged.code == .tampered)
    }

    @Test func anotherContextDoesNotOpen() throws {
        let box = try Self.box()
        let sealed = try box.seal(Data("s3cret-token".utf8), context: "account:one")
        let error = try #require(throws: SecretError.self) { try box.open(sealed.sealed, keyID: sealed.keyID, context: "account:two") }
        #expect(error.code == .tampered)
    }

    @Test func aBadEnvironmentKeyNamesTheVariableAndHowToMakeOne() throws {
        let home = try HeraldCommand.temporaryDirectory()
        for value in ["not base64!", Data(repeating: 7, count: 16).base64EncodedString()] {
            let error = try #require(throws: SecretError.self) {
                try SecretBox.load(environment: ["HERALD_SECRET_KEY": value], home: home)
            }
            #expect(error.code == .badKey)
            #expect(error.message.contains("HERALD_SECRET_KEY") && error.message.contains("openssl rand -base64 32"))
        }
        let key = SecretBox.generateKey()
        let box = try SecretBox.load(environment: ["HERALD_SECRET_KEY": key], home: home)
        #expect(box.keyID == (try SecretBox(base64: key, source: "x")).keyID)
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("secret.key").path))
    }

    @Test func theKeyFileIsCreatedWithMode0600AndReusedAndAnUnsafeOneIsRefused() throws {
        let home = try HeraldCommand.temporaryDirectory().appendingPathComponent("home")
        let first = try SecretBox.load(environment: [:], home: home)
        let file = home.appendingPathComponent("secret.key")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try SecretBox.load(environment: [:], home: home).keyID == first.keyID)
        #expect(chmod(file.path, 0o644) == 0)
        let error = try #require(throws: SecretError.self) { try SecretBox.load(environment: [:], home: home) }
        #expect(error.code == .unsafeKeyFile)
        #expect(error.message.contains(file.path) && error.message.contains("chmod 600"))
    }
}
