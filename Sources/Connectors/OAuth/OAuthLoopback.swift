import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A one-shot HTTP listener on 127.0.0.1 that receives an OAuth 2.0 authorization redirect
/// (`GET /callback?code=…&state=…`, RFC 8252 section 7.3, the way command-line tools sign in).
///
/// It checks the `state`, answers the browser with a small page saying the window can be closed, and hands back the
/// code; an `error=` parameter (the person refused, or the platform did) ends it with a clear ``OAuthError``.
public enum OAuthLoopback {
    /// Listens on 127.0.0.1:`port` (0: a free port), runs `body` with the redirect URI
    /// (`http://127.0.0.1:<port>/callback`) — which sends the person's browser to the platform — then waits for the
    /// redirect carrying `state`.
    ///
    /// - Parameters:
    ///   - port: The port to listen on; 0 picks a free one. X and LinkedIn compare the redirect URI with the ones
    ///     registered for the app exactly, port included: register `http://127.0.0.1:<port>/callback` and pass that port.
    ///   - state: The `state` sent in the authorization request; a redirect with another one is refused.
    ///   - timeout: How long to wait for the redirect after `body` returns.
    /// - Returns: The authorization code.
    /// - Throws: ``OAuthError`` when the authorization is refused, the state does not match, or nothing arrives in time.
    public static func receiveCode(
        port: Int = 0,
        state: String,
        timeout: Duration = .seconds(300),
        _ body: (String) async throws -> Void
    ) async throws -> String {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: String.self)
        let outcome = CallbackOutcome(promise: promise)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.configureHTTPServerPipeline()
                        try child.pipeline.syncOperations.addHandler(CallbackHandler(state: state, outcome: outcome))
                    }
                }
                .bind(host: "127.0.0.1", port: port).get()
        } catch {
            promise.fail(OAuthError("could not listen on 127.0.0.1:\(port) for the authorization redirect: \(error)"))
            throw OAuthError("could not listen on 127.0.0.1:\(port) for the authorization redirect: \(error)")
        }
        let redirectURI = OAuthRequests.redirectURI(port: channel.localAddress?.port ?? port)
        let seconds = timeout.components.seconds
        var timer: Scheduled<Void>?
        defer { timer?.cancel() }
        do {
            try await body(redirectURI)
            // The wait counts from the end of `body`: a browser that was slow to open does not eat into it.
            timer = promise.futureResult.eventLoop.scheduleTask(
                in: .nanoseconds(Int64(timeout.components.attoseconds / 1_000_000_000) + seconds * 1_000_000_000)
            ) {
                outcome.finish(.failure(OAuthError("no authorization arrived at \(redirectURI) within \(seconds) s; run the command again")))
            }
            let code = try await promise.futureResult.get()
            // Let the browser's page go out before the listener closes.
            try? await Task.sleep(for: .milliseconds(50))
            try? await channel.close()
            return code
        } catch {
            outcome.finish(.failure(error))
            try? await channel.close()
            throw error
        }
    }
}

/// The redirect's outcome, completed once (later callbacks are answered but ignored).
final class CallbackOutcome: Sendable {
    private let promise: EventLoopPromise<String>
    private let done = Mutex(false)

    init(promise: EventLoopPromise<String>) {
        self.promise = promise
    }

    func finish(_ result: Result<String, any Error>) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        if first { promise.completeWith(result) }
    }
}

/// Answers `GET /callback?...` and completes the outcome; anything else (a favicon) gets a 404.
final class CallbackHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let state: String
    let outcome: CallbackOutcome
    var uri = ""

    init(state: String, outcome: CallbackOutcome) {
        self.state = state
        self.outcome = outcome
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): uri = head.uri
        case .body: break
        case .end:
            let (status, page) = answer(uri)
            var headers = HTTPHeaders()
            let bytes = ByteBuffer(string: page)
            headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
            headers.add(name: "Content-Length", value: String(bytes.readableBytes))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
            let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in closing.value.close(promise: nil) }
        }
    }

    /// Reads the callback and says what the browser sees.
    func answer(_ uri: String) -> (HTTPResponseStatus, String) {
        guard let components = URLComponents(string: uri), components.path == "/callback" else {
            return (.notFound, Self.page("Not found", "This address only receives Herald's sign-in redirect."))
        }
        let items = components.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        if let error = value("error") {
            let reason = value("error_description").map { "\(error): \($0)" } ?? error
            outcome.finish(.failure(OAuthError("the authorization was refused (\(reason)); nothing was connected")))
            return (.ok, Self.page("Not connected", "The authorization was refused (\(Self.escape(reason))). You can close this window."))
        }
        guard value("state") == state else {
            outcome.finish(
                .failure(
                    OAuthError(
                        "the authorization redirect carried another state than the one Herald sent; nothing was connected (run the command again)"
                    )
                )
            )
            return (.badRequest, Self.page("Not connected", "This redirect does not belong to Herald's sign-in. You can close this window."))
        }
        guard let code = value("code"), !code.isEmpty else {
            outcome.finish(.failure(OAuthError("the authorization redirect carried no code; nothing was connected")))
            return (.badRequest, Self.page("Not connected", "The redirect carried no authorization code. You can close this window."))
        }
        outcome.finish(.success(code))
        return (.ok, Self.page("Connected", "Herald received the authorization. You can close this window."))
    }

    static func page(_ title: String, _ text: String) -> String {
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Herald: \(title)</title></head>"
            + "<body style=\"font-family: sans-serif\"><h1>\(title)</h1><p>\(text)</p></body></html>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
