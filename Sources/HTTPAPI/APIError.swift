import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore
import PostgresNIO
import Storage

/// An error answered to a client as `{"error": {"code", "message", "details"}}` with a 4xx (or 5xx) status.
public struct APIError: HTTPResponseError, Sendable {
    /// One thing wrong with the input: where (`row 3`), which field, and why.
    public struct Detail: Sendable, Codable, Equatable {
        public var location: String?
        public var field: String?
        public var message: String

        public init(location: String? = nil, field: String? = nil, message: String) {
            self.location = location
            self.field = field
            self.message = message
        }
    }

    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`validation_failed`, `not_found`...).
    public var code: String
    public var message: String
    public var details: [Detail]
    /// Seconds the client should wait before sending the request again (`Retry-After`), when retrying later helps.
    public var retryAfterSeconds: Int?

    public init(status: HTTPResponse.Status, code: String, message: String, details: [Detail] = [], retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// 503 `database_unavailable` with `Retry-After`: the database cannot be reached right now; nothing was written.
    public static func databaseUnavailable(_ unavailable: DatabaseUnavailable) -> APIError {
        APIError(
            status: .serviceUnavailable,
            code: "database_unavailable",
            message: "\(unavailable.description); nothing was written",
            retryAfterSeconds: DatabaseUnavailable.retryAfterSeconds
        )
    }

    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthorized", message: message)
    }

    public static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: message)
    }

    public static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: message)
    }

    public static func badRequest(_ message: String, details: [Detail] = []) -> APIError {
        APIError(status: .badRequest, code: "bad_request", message: message, details: details)
    }

    public static func tooLarge(_ message: String) -> APIError {
        APIError(status: .contentTooLarge, code: "too_large", message: message)
    }

    /// The answer for any error a route throws: Herald's own errors keep their meaning, others are 500s
    /// that say only the request id (the log has the rest).
    public static func from(_ error: any Error, requestID: String) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationError:
            return APIError(
                status: .unprocessableContent,
                code: "validation_failed",
                message: error.description,
                details: [
                    Detail(
                        location: error.location.isEmpty ? nil : error.location,
                        field: error.field.isEmpty ? nil : error.field,
                        message: error.reason
                    )
                ]
            )
        case let errors as ValidationErrors:
            let noun = errors.total == 1 ? "problem" : "problems"
            return APIError(
                status: .unprocessableContent,
                code: "validation_failed",
                message: "\(errors.total) \(noun) found; nothing was written",
                details: errors.errors.map {
                    Detail(location: $0.location.isEmpty ? nil : $0.location, field: $0.field.isEmpty ? nil : $0.field, message: $0.reason)
                }
            )
        case let error as NotFoundError:
            return .notFound(error.description)
        case let error as ConflictError:
            return APIError(status: .conflict, code: "conflict", message: error.message)
        case let error as ForbiddenError:
            return .forbidden(error.message)
        case let error as EventJSON.TooManyRows:
            return .tooLarge(error.description)
        case let error as HTTPError:
            return APIError(
                status: error.status,
                code: error.status == .notFound ? "not_found" : "http_\(error.status.code)",
                message: error.body ?? error.status.reasonPhrase
            )
        case is NIOTooManyBytesError:
            return .tooLarge("the request body is too large")
        case _ where DatabaseUnavailable.classify(error) != nil:
            return .databaseUnavailable(DatabaseUnavailable.classify(error)!)
        case _ where StorageError.sqlState(error) == "57014":
            // The statement timeout: the database is overloaded or a statement is stuck; the same request may pass later.
            return .databaseUnavailable(DatabaseUnavailable("a statement took longer than the database's statement timeout"))
        default:
            return APIError(
                status: .internalServerError,
                code: "internal",
                message: "something went wrong on our side (request \(requestID)); it was logged"
            )
        }
    }

    /// The error as a response: ``ErrorResponse`` with the status, and the auth challenge on a 401.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(ErrorResponse(error: .init(code: code, message: message, details: details)), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"herald\"" }
        if let retryAfterSeconds { response.headers[.retryAfter] = "\(retryAfterSeconds)" }
        return response
    }
}
