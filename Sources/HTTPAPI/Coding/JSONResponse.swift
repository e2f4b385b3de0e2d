import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import NIOCore

/// JSON response bodies, all written by one encoder.
enum JSONResponse {
    /// The one encoder of the API's JSON bodies (``APIContext/responseEncoder`` is this one): sorted keys,
    /// dates as ``Timestamp`` writes them, the same as the CLI's `--json` (``JSONEncoder/herald(pretty:)``).
    static let encoder = JSONEncoder.herald()

    /// A response whose body is `value` as JSON, with `status`.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        raw(try encoder.encode(value), status: status)
    }

    /// A response whose body is JSON text already.
    static func raw(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
