import Connectors
import Foundation
import HeraldCore
import HeraldTestSupport
import Logging
import PostgresNIO
import Testing

@testable import Storage

@Suite struct AccountStoreTests {
    static let token = "mastodon-token-8c1f2e"
    static let secret = "webhook-secret-77aa09"

    static func box() throws -> SecretBox { try SecretBox(base64: SecretBox.generateKey(), source: "test") }

    /// Runs `body` with a fresh database and a store of workspace `acme`.
    func withStore(_ body: (Database, AccountStore, SecretBox) async throws -> Void) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let box = try Self.box()
            try await body(database, AccountStore(database, workspace: workspace, secrets: box), box)
        }
    }

    @discardableResult
    func connectMastodon(_ store: AccountStore, name: String = "brand") async throws -> StoredAccount {
        try await store.connect(
            name: name,
            kind: .mastodon,
            baseURL: "https://mastodon.example/",
            handle: nil,
            credentials: Credentials(accessToken: Self.token),
            followers: nil
        )
    }

    @Test func connectStoresSealedCredentialsThatOpenForAConnector() async throws {
        try await withStore { database, store, box in
            let account = try await connectMastodon(store)
            #expect(account.name == "brand" && account.kind == .mastodon && account.health == .ok)
            #expect(account.baseURL == "https://mastodon.example")
            #expect(account.pace == AccountKind.mastodon.defaultPace)
            let rows = try await database.client.query(
                "SELECT credentials, key_id, bucket_tokens FROM accounts WHERE id = \(account.id)",
                logger: database.logger
            )
            for try await (sealed, keyID, tokens) in rows.decode((Data, String, Double).self) {
                #expect(keyID == box.keyID)
                #expect(sealed.range(of: Data(Self.token.utf8)) == nil)
                #expect(tokens == 30)
            }
            let connected = try await store.connected(account.id)
            #expect(connected.credentials.accessToken == Self.token)
            #expect(connected.baseURL == "https://mastodon.example")
            // A refreshed token is sealed and stored through saveCredentials.
            try await connected.saveCredentials(Credentials(accessToken: "fresh", refreshToken: "next"))
            #expect(try await store.connected(account.id).credentials == Credentials(accessToken: "fresh", refreshToken: "next"))
        }
    }

    @Test func reconnectingANameKeepsTheAccountAndResetsItsHealth() async throws {
        try await withStore { _, store, _ in
            let first = try await connectMastodon(store)
            try await store.setHealth(first.id, .needsReconnect, reason: "token revoked", until: nil)
            let again = try await store.connect(
                name: "brand",
                kind: .mastodon,
                baseURL: "https://other.example",
                handle: "109",
                credentials: Credentials(accessToken: "new"),
                followers: 12,
                pace: AccountPace(perHour: 10, burst: 2)
            )
            #expect(again.id == first.id && again.health == .ok && again.reason == nil)
            #expect(again.handle == "109" && again.followers == 12 && again.pace == AccountPace(perHour: 10, burst: 2))
            #expect(try await store.connected(first.id).credentials.accessToken == "new")
            await #expect(throws: ConflictError.self) {
                try await store.connect(
                    name: "brand",
                    kind: .webhook,
                    baseURL: "https://hooks.example/in",
                    handle: nil,
                    credentials: Credentials(signingSecret: "x"),
                    followers: nil
                )
            }
            await #expect(throws: ValidationError.self) {
                try await store.connect(
                    name: "Bad Name",
                    kind: .webhook,
                    baseURL: "https://hooks.example/in",
                    handle: nil,
                    credentials: Credentials(),
                    followers: nil
                )
            }
            await #expect(throws: ValidationError.self) {
                try await store.connect(name: "hook", kind: .webhook, baseURL: "ftp://x", handle: nil, credentials: Credentials(), followers: nil)
            }
        }
    }

    @Test func ciphertextSwappedBetweenTwoAccountsDoesNotOpen() async throws {
        try await withStore { database, store, box in
            let one = try await connectMastodon(store, name: "one")
            let two = try await connectMastodon(store, name: "two")
            try await database.client.query(
                """
                UPDATE accounts SET credentials = (SELECT credentials FROM accounts WHERE id = \(one.id)) WHERE id = \(two.id)
                """,
                logger: database.logger
            )
            #expect(try await store.connected(one.id).credentials.accessToken == Self.token)
            let error = try await #require(throws: SecretError.self) { try await store.connected(two.id) }
            #expect(error.code == .tampered)
            #expect(error.message.contains("\"two\"") && error.message.contains(box.keyID) && error.message.contains("reconnect"))
            #expect(!error.message.contains(Self.token))
        }
    }

    @Test func aWrongKeyNamesTheKeyThatSealedTheCredentials() async throws {
        try await withStore { database, store, box in
            let account = try await connectMastodon(store)
            let other = AccountStore(database, workspace: account.workspace, secrets: try Self.box())
            let error = try await #require(throws: SecretError.self) { try await other.connected(account.id) }
            #expect(error.code == .wrongKey && error.sealedWith == box.keyID)
            #expect(error.message.contains(box.keyID) && error.message.contains("HERALD_SECRET_KEY"), "\(error.message)")
            // Listing needs no key.
            #expect(try await other.list().map(\.name) == ["brand"])
        }
    }

    @Test func rotationReSealsEveryAccountSoTheOldKeyIsNoLongerNeeded() async throws {
        try await withStore { database, store, box in
            let one = try await connectMastodon(store, name: "one")
            let elsewhere = AccountStore(database, workspace: try await WorkspaceStore(database).ensure(slug: "other"), secrets: box)
            let two = try await connectMastodon(elsewhere, name: "two")
            let new = try Self.box()
            #expect(try await SecretRotation(database).reseal(from: box, to: new) == 2)
            let after = AccountStore(database, workspace: one.workspace, secrets: new)
            #expect(try await after.connected(one.id).credentials.accessToken == Self.token)
            #expect(try await AccountStore(database, workspace: two.workspace, secrets: new).connected(two.id).credentials.accessToken == Self.token)
            await #expect(throws: SecretError.self) { try await store.connected(one.id) }
            // With a key that opens nothing, nothing changes.
            await #expect(throws: SecretError.self) { try await SecretRotation(database).reseal(from: try Self.box(), to: try Self.box()) }
            #expect(try await after.connected(one.id).credentials.accessToken == Self.token)
        }
    }

    @Test func keyFileRotationReplacesTheKeyFileAndRemovesTheOldOne() async throws {
        try await TestDatabase.withFreshDatabase { database in
            let home = try HeraldCommand.temporaryDirectory()
            let box = try SecretBox.load(environment: [:], home: home)
            let store = AccountStore(database, workspace: try await WorkspaceStore(database).ensure(slug: "acme"), secrets: box)
            let account = try await connectMastodon(store)
            let outcome = try await SecretRotation(database).rotateKeyFile(home: home)
            #expect(outcome.accounts == 1 && outcome.oldKeyID == box.keyID && outcome.newKeyID != box.keyID)
            let files = try FileManager.default.contentsOfDirectory(atPath: home.path).sorted()
            #expect(files == ["secret.key"])
            let attributes = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("secret.key").path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let reloaded = try SecretBox.load(environment: [:], home: home)
            #expect(reloaded.keyID == outcome.newKeyID && !reloaded.opens(keyID: box.keyID))
            let after = AccountStore(database, workspace: account.workspace, secrets: reloaded)
            #expect(try await after.connected(account.id).credentials.accessToken == Self.token)
        }
    }

    @Test func workspacesSeeOnlyTheirOwnAccounts() async throws {
        try await withStore { database, store, box in
            let mine = try await connectMastodon(store)
            let other = AccountStore(database, workspace: try await WorkspaceStore(database).ensure(slug: "other"), secrets: box)
            #expect(try await other.list().isEmpty)
            await #expect(throws: NotFoundError.self) { try await other.find(name: "brand") }
            await #expect(throws: NotFoundError.self) { try await other.find(id: mine.id) }
            await #expect(throws: NotFoundError.self) { try await other.connected(mine.id) }
            await #expect(throws: NotFoundError.self) { try await other.setHealth(mine.id, .needsReconnect, reason: "x", until: nil) }
            await #expect(throws: NotFoundError.self) { try await other.saveCredentials(mine.id, Credentials(accessToken: "stolen")) }
            await #expect(throws: NotFoundError.self) { try await other.remove(name: "brand") }
            // The same name in another workspace is another account.
            let theirs = try await connectMastodon(other)
            #expect(theirs.id != mine.id)
            #expect(try await store.find(name: "brand").id == mine.id)
            try await store.remove(name: "brand")
            #expect(try await store.list().isEmpty)
            #expect(try await other.list().count == 1)
        }
    }

    @Test func setHealthSaysWhetherTheStateChanged() async throws {
        try await withStore { _, store, _ in
            let account = try await connectMastodon(store)
            #expect(try await store.setHealth(account.id, .ok, reason: nil, until: nil) == false)
            let reset = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await store.setHealth(account.id, .rateLimited, reason: "429", until: reset) == true)
            #expect(try await store.setHealth(account.id, .rateLimited, reason: "429 again", until: reset.addingTimeInterval(60)) == false)
            let limited = try await store.find(id: account.id)
            #expect(limited.health == .rateLimited && limited.rateLimitedUntil == reset.addingTimeInterval(60) && limited.reason == "429 again")
            #expect(try await store.setHealth(account.id, .needsReconnect, reason: "The access token was revoked", until: nil) == true)
            #expect(try await store.setHealth(account.id, .needsReconnect, reason: "The access token was revoked", until: nil) == false)
            let refused = try await store.find(id: account.id)
            #expect(refused.health == .needsReconnect && refused.reason == "The access token was revoked" && refused.rateLimitedUntil == nil)
            // Many workers seeing the same refusal at once: exactly one of them sees the change.
            try await store.setHealth(account.id, .ok, reason: nil, until: nil)
            let changes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.setHealth(account.id, .needsReconnect, reason: "revoked", until: nil) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(changes == 1)
        }
    }

    @Test func credentialsNeverReachLogsDescriptionsOrErrors() async throws {
        let (logger, captured) = CapturingLogHandler.logger()
        let configuration = try await TestDatabase.fresh()
        try await Database.withDatabase(configuration, logger: logger) { database in
            let box = try Self.box()
            let workspace = try await WorkspaceStore(database).ensure(slug: "acme")
            let store = AccountStore(database, workspace: workspace, secrets: box)
            let mastodon = try await connectMastodon(store)
            let (hook, _) = try await store.connect(
                name: "hook",
                kind: .webhook,
                baseURL: "https://hooks.example/in",
                handle: nil,
                credentials: Credentials(signingSecret: Self.secret),
                check: { account in
                    logger.info("checking", metadata: ["herald.account": "\(account)"])
                    return AccountProfile(id: "hook", handle: "hook")
                }
            )
            let connected = try await store.connected(mastodon.id)
            logger.info("connected", metadata: ["herald.account": "\(connected)", "herald.credentials": "\(connected.credentials)"])
            var dumped = ""
            dump(connected, to: &dumped)
            let texts = [
                "\(connected)", String(reflecting: connected), "\(connected.credentials)", String(reflecting: connected.credentials), dumped,
                "\(mastodon)", "\(try await store.connected(hook.id))",
            ]
            let other = AccountStore(database, workspace: workspace, secrets: try Self.box())
            let errors = [
                await #expect(throws: SecretError.self) { try await other.connected(mastodon.id) }.map { "\($0)" } ?? ""
            ]
            let everything = texts + errors + captured.all.map(\.text)
            for secret in [Self.token, Self.secret] {
                #expect(!everything.contains { $0.contains(secret) }, "a credential leaked")
            }
            #expect(captured.all.count > 2, "the capture saw the queries' log lines too")
        }
    }
}
