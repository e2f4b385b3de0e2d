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

    /// How long `/healthz` waits at most for a database that is reachable but slow before answering 503.
    static let databaseDeadline: Duration = .seconds(5)

    /// 200 when the database answers a trivial query; 503 with `Retry-After` and the reason when it does not: at once
    /// while the database is known to be down, within a second when it refuses connections (the pool's probe after
    /// 250 ms), at the deadline when it is only slow.
    @Sendable func health(_ request: Request, context: APIContext) async throws -> Response {
        do {
            if let outage = database.outage { throw outage }
            try await database.limited(by: Self.databaseDeadline).ping()
            return try JSONResponse.make(Health(status: "ok", database: "ok"))
        } catch {
            let outage = DatabaseUnavailable.classify(error)
            let reason = outage?.reason ?? StorageError.describe(error)
            // An outage is logged once by the pool; anything else is worth a line each time.
            context.logger.log(level: outage == nil ? .warning : .debug, "health check failed", metadata: ["herald.error": "\(reason)"])
            var response = try JSONResponse.make(Health(status: "unavailable", database: reason), status: .serviceUnavailable)
            response.headers[.retryAfter] = "\(DatabaseUnavailable.retryAfterSeconds)"
            return response
        }
    }

    /// Prometheus text; served while the database is down too (`herald_database_up` 0).
    @Sendable func render(_ request: Request, context: APIContext) async throws -> Response {
        let text = try await metrics.render(database: database.limited(by: .seconds(2)))
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
