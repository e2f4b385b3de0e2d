import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Logging
import NIOCore
import Storage

/// `GET /healthz` (checks the database) and `GET /metrics` (Prometheus text).
struct HealthRoutes {
    let database: Database
    let metrics: ServiceMetrics

    func add(to router: Router<APIContext>) {
        router.get("healthz", use: health)
        router.get("metrics", use: render)
    }

    struct Health: Encodable {
        var status: String
        var database: String
    }

    @Sendable func health(_ request: Request, context: APIContext) async throws -> Response {
        do {
            try await database.ping()
            return try JSONResponse.make(Health(status: "ok", database: "ok"))
        } catch {
            context.logger.warning("health check failed", metadata: ["herald.error": "\(error)"])
            return try JSONResponse.make(Health(status: "unavailable", database: "\(error)"), status: .serviceUnavailable)
        }
    }

    @Sendable func render(_ request: Request, context: APIContext) async throws -> Response {
        let text = try await metrics.render(database: database)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
