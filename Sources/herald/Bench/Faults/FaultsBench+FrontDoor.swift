import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import Glibc
import HeraldCore
import Logging
import NIOCore
import NIOHTTP1
import Storage
import Synchronization

#if canImport(Glibc)
#endif

extension FaultsBench {
    /// `count` connections that send half a request and then nothing, held for `seconds`: closed by the server's
    /// timeouts, while normal requests are still served within their usual p99.
    static func halfOpenConnections(_ rig: FaultRig, count: Int, seconds: Double) async throws -> FaultFigures {
        var figures = FaultFigures("\(count) half-open connections")
        let port = try FreePort.find()
        let server = try await rig.serve(port: port)
        let url = "http://127.0.0.1:\(port)/healthz"
        let baseline = try await probe(rig, url: url, for: .seconds(3))
        var connections: [RawConnection] = []
        var refused = 0
        for index in 0..<count {
            do {
                // Half send half a request head, half send nothing at all.
                let connection = try RawConnection(port: port)
                if index % 2 == 0 { connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow") }
                connections.append(connection)
            } catch {
                refused += 1
            }
        }
        let start = ContinuousClock.now
        figures.faults = count
        let during = try await probe(rig, url: url, for: .seconds(seconds))
        var allClosedAfter: Double = -1
        var closed = 0
        while ContinuousClock.now - start < .seconds(seconds) + .seconds(30) {
            closed = connections.filter(\.isClosedByPeer).count
            if closed == connections.count {
                allClosedAfter = (ContinuousClock.now - start).seconds
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        connections.removeAll()
        figures.checked = during.statuses.count
        figures.serverErrors = during.statuses.filter { $0 >= 500 }.count
        if during.unanswered > 0 { figures.problems.append("\(during.unanswered) normal requests got no answer during the attack") }
        if closed < count - refused {
            figures.problems.append("\(count - refused - closed) half-open connections still open \(Int(seconds) + 30) s later")
        }
        figures.record("connections_refused", Double(refused))
        figures.record("half_open_closed", Double(closed))
        figures.record("all_closed_after_s", allClosedAfter)
        figures.record("healthz_p99_ms_before", baseline.p99)
        figures.record("healthz_p99_ms_during", during.p99)
        server.signal(SIGTERM)
        _ = await FaultRig.exit(of: server, within: .seconds(30))
        return figures
    }

    /// `count` random bearer tokens from one address: refused with 429 after the limit, while a valid token from
    /// another address is answered as usual.
    static func tokenGuessing(_ rig: FaultRig, setup: Setup, count: Int) async throws -> FaultFigures {
        var figures = FaultFigures("token guessing (\(count))")
        let port = try FreePort.find()
        let server = try await rig.serve(port: port)
        let url = "http://127.0.0.1:\(port)/v1/workspace"
        let statuses = Shared<[Int: Int]>([:])
        let missingRetryAfter = Shared<Int>(0)
        let valid = Shared<[(status: Int, milliseconds: Double)]>([])
        let done = Shared<Bool>(false)
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<16 {
                group.addTask {
                    var index = lane
                    while index < count {
                        let guess = "\(TokenStore.tokenPrefix)\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
                        let response = try? await rig.get(url, headers: [("Authorization", "Bearer \(guess)")], timeout: .seconds(10))
                        let status = response.map { Int($0.status.code) } ?? 0
                        statuses.withLock { $0[status, default: 0] += 1 }
                        if status == 429, response?.headers.first(name: "Retry-After") == nil { missingRetryAfter.withLock { $0 += 1 } }
                        index += 16
                    }
                }
            }
            group.addTask {
                // The valid client, from 127.0.0.2 (plain sockets on a Dispatch thread).
                while !done.value {
                    let start = ContinuousClock.now
                    let status = await Self.offPool {
                        RawConnection.get(port: port, path: "/v1/workspace", from: "127.0.0.2", headers: ["Authorization": "Bearer \(setup.token)"])
                    }
                    let milliseconds = (ContinuousClock.now - start).seconds * 1_000
                    valid.withLock { $0.append((status ?? 0, milliseconds)) }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            // Stop the valid client once the guessers are done.
            while statuses.withLock({ $0.values.reduce(0, +) }) < count { try? await Task.sleep(for: .milliseconds(50)) }
            done.withLock { $0 = true }
        }
        let answers = statuses.withLock { $0 }
        let validAnswers = (statuses: valid.value.map(\.status), milliseconds: valid.value.map(\.milliseconds))
        figures.faults = count
        figures.checked = validAnswers.statuses.count
        figures.serverErrors = answers.filter { $0.key >= 500 }.map(\.value).reduce(0, +) + validAnswers.statuses.filter { $0 >= 500 }.count
        if answers[429, default: 0] == 0 { figures.problems.append("no guess was refused with 429") }
        if missingRetryAfter.value > 0 { figures.problems.append("429s without Retry-After") }
        let validRefused = validAnswers.statuses.filter { $0 != 200 }.count
        if validRefused > 0 { figures.problems.append("\(validRefused) requests with the valid token were not answered 200") }
        figures.record("guesses_401", Double(answers[401, default: 0]))
        figures.record("guesses_429", Double(answers[429, default: 0]))
        figures.record("valid_requests", Double(validAnswers.statuses.count))
        figures.record("valid_p99_ms", Percentile.of(validAnswers.milliseconds, 0.99))
        server.signal(SIGTERM)
        _ = await FaultRig.exit(of: server, within: .seconds(30))
        return figures
    }

    /// GETs of `url` every 100 ms for `duration`: the statuses, how many got no answer, and the p99 in ms.
    static func probe(_ rig: FaultRig, url: String, for duration: Duration) async throws -> (statuses: [Int], unanswered: Int, p99: Double) {
        var statuses: [Int] = []
        var unanswered = 0
        var milliseconds: [Double] = []
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            let start = ContinuousClock.now
            if let response = try await rig.get(url, timeout: .seconds(10)) {
                statuses.append(Int(response.status.code))
                milliseconds.append((ContinuousClock.now - start).seconds * 1_000)
            } else {
                unanswered += 1
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (statuses, unanswered, Percentile.of(milliseconds, 0.99))
    }

    /// Runs blocking socket work on a Dispatch thread, off the cooperative pool.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
