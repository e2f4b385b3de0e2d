import AsyncHTTPClient
import Autopilot
import ContentVariants
import Foundation
import HeraldCore
import NIOCore
import NIOHTTP1

/// The demo's audience (SIMULATION: no real people) as it reaches Herald: like people, over HTTP only. Each post is seen
/// by its reach (the impressions a platform would report, posted as one batch to `POST /v1/events` with a token), and
/// each simulated person who clicks follows the post's tracking link (`GET /r/{code}`, from an address of their own,
/// redirect not followed: nothing leaves this machine). It never writes to the database.
struct SimulatedAudience: Sendable {
    /// The in-process `herald serve` on loopback.
    let server: String
    /// A token of the demo workspace for `POST /v1/events`.
    let token: String
    let client: HTTPClient
    /// What a simulated person's browser says it is (no bot fragment: these clicks count, and the label says what they are).
    static let userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 HeraldDemoAudience/SIMULATION"

    /// A client that never follows a redirect (the destination is not fetched).
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The post's impressions, as a platform would report them: one NDJSON batch, each at its own instant in `window`.
    func reportImpressions(
        variant: VariantID,
        count: Int,
        from start: Date,
        over window: TimeInterval,
        using random: inout some RandomNumberGenerator
    )
        async throws
    {
        guard count > 0 else { return }
        var lines: [String] = []
        lines.reserveCapacity(count)
        for _ in 0..<count {
            let at = start.addingTimeInterval(Double.random(in: 0..<window, using: &random))
            lines.append(
                #"{"id":"\#(UUID().uuidString.lowercased())","variant_id":"\#(variant)","kind":"impression","occurred_at":"\#(Timestamp.format(at))"}"#
            )
        }
        var request = HTTPClientRequest(url: server + "/v1/events")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/x-ndjson")
        request.body = .bytes(ByteBuffer(string: lines.joined(separator: "\n")))
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .accepted else {
            throw DemoFailure("POST /v1/events answered \(response.status.code): \(String(buffer: body).prefix(300))")
        }
    }

    /// `people` simulated people follow the tracking link `code`, each from their own address, at most 16 at once.
    ///
    /// - Returns: How many were redirected (302).
    func click(code: String, people: Int, firstPerson: Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var redirected = 0
            var started = 0
            func start() {
                let person = firstPerson + started
                started += 1
                group.addTask {
                    var request = HTTPClientRequest(url: server + "/r/" + code)
                    request.headers.add(name: "User-Agent", value: Self.userAgent)
                    // Each person has an address of their own (198.18.0.0/15, the range kept for benchmarks); the
                    // demo's server trusts loopback as its proxy, as one behind a reverse proxy would.
                    request.headers.add(name: "X-Forwarded-For", value: "198.18.\((person / 250) % 250).\(person % 250 + 1)")
                    let response = try await client.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 16)
                    return response.status == .found
                }
            }
            for _ in 0..<min(16, people) { start() }
            while let done = try await group.next() {
                if done { redirected += 1 }
                if started < people { start() }
            }
            return redirected
        }
    }
}

extension AudienceModel.Content {
    /// What the model reads of a post's text, from Herald's own content features.
    init(text: String, channel: HeraldCore.Channel) {
        let features = ContentFeatures(text: text, channel: channel)
        self.init(
            hasQuestion: features.hasQuestion,
            hasNumber: features.hasNumber,
            hasCallToAction: features.hasCTA,
            emojiCount: features.emojiCount,
            hashtagCount: features.hashtagCount,
            words: features.words
        )
    }
}

/// A step of the demo that did not go as it must, said in one line.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
