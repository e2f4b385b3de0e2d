import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Logging
import PostgresNIO
import Testing

@testable import Storage

struct DatabaseUnavailableTests {
    @Test func aServerThatIsNotThereIsUnavailableAndAStatementErrorIsNot() async throws {
        let port = try FreePort.find()
        let nowhere = try DatabaseConfiguration(url: "postgres://herald:x@127.0.0.1:\(port)/herald")
        let (logger, store) = CapturingLogHandler.logger()
        let outage = OutageLog("worker", logger: logger)
        try await Database.withDatabase(nowhere, logger: logger) { database in
            for _ in 0..<2 {
                do {
                    try await database.ping()
                    Issue.record("a ping to a closed port succeeded")
                } catch {
                    #expect(DatabaseUnavailable.classify(error) != nil, "\(error) was not classified as unavailable")
                    #expect(outage.failed(error) != nil)
                }
            }
        }
        #expect(outage.isDown)
        try await TestDatabase.withFreshDatabase { database in
            do {
                try await database.client.execute("SELEC 1", logger: database.logger)
                Issue.record("a syntax error succeeded")
            } catch {
                #expect(DatabaseUnavailable.classify(error) == nil)
                #expect(outage.failed(error) == nil)
            }
            let began = ContinuousClock.now
            try await database.ping()
            outage.succeeded(startedAt: began)
            outage.succeeded(startedAt: began)
        }
        #expect(!outage.isDown)
        // The worker's outage log, and (since the pool fails fast and recovers by itself) the pool's own, each once.
        let warnings = store.all.filter { $0.level == .warning && $0.message.contains("database unavailable: worker") }
        let ends = store.all.filter { $0.message.contains("reachable again: worker") }
        #expect(warnings.count == 1, "the outage was logged \(warnings.count) times")
        #expect(ends.count == 1, "its end was logged \(ends.count) times")
        let pool = store.all.filter { $0.level == .warning && $0.message.contains("database unavailable: database connections") }
        #expect(pool.count == 1, "the pool logged the outage \(pool.count) times")
    }

    @Test func aSuccessBegunBeforeTheOutageWasNoticedDoesNotEndIt() throws {
        // While a server shuts down, a statement on a connection it has not closed yet can succeed after another
        // connection failed: the outage must still be logged once when it begins and once when it ends (the worker's
        // log said "unavailable", "reachable again", "unavailable" within milliseconds on a loaded machine).
        let (logger, store) = CapturingLogHandler.logger()
        let outage = OutageLog("worker", logger: logger)
        let lost = DatabaseUnavailable("the server closed the connection")
        let begunBefore = ContinuousClock.now
        #expect(outage.failed(lost) != nil)
        outage.succeeded(startedAt: begunBefore)
        #expect(outage.isDown, "a success begun before the outage ended it")
        #expect(outage.failed(lost) != nil)
        outage.succeeded(startedAt: ContinuousClock.now)
        #expect(!outage.isDown)
        let warnings = store.all.filter { $0.message.contains("database unavailable: worker") }
        let ends = store.all.filter { $0.message.contains("reachable again: worker") }
        #expect(warnings.count == 1 && ends.count == 1, "logged \(warnings.count) beginnings and \(ends.count) ends")
    }
}
