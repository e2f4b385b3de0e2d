import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with Herald's ``RequestDeadlineHandler`` placed right after the HTTP decoder,
/// where it sees each request's head, body and end as NIO decodes them.
struct HeraldHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let settings: ServerSettings
    let metrics: ServiceMetrics

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(
                RequestDeadlineHandler(
                    headerReadTimeout: settings.headerReadTimeout,
                    bodyReadTimeout: settings.bodyReadTimeout,
                    metrics: metrics,
                    logger: logger
                ),
                position: .after(decoder)
            )
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with Herald's front door: the idle timeout (Hummingbird's), and the header-read and body-read timeouts of
    /// ``RequestDeadlineHandler``, from `settings`.
    static func herald(settings: ServerSettings, metrics: ServiceMetrics) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HeraldHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(settings.idleTimeout))),
                settings: settings,
                metrics: metrics
            )
        }
    }
}
