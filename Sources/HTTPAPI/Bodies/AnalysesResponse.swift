import Foundation
import HeraldCore
import Hummingbird
import Storage

/// `GET /v1/campaigns/{campaign}/analyses`: `{"analyses": [{"id", "created_at", "result"}]}`, newest first.
///
/// Each result is stored as JSON already and is embedded as it is stored, not decoded and encoded again; the rest is
/// written as ``JSONResponse/encoder`` writes it (dates as ``Timestamp``).
struct AnalysesResponse: ResponseGenerator {
    /// One stored analysis.
    struct Analysis {
        var id: UUID
        var createdAt: Date
        /// The analysis's result, JSON text.
        var resultJSON: String

        init(_ analysis: StoredAnalysis) {
            id = analysis.id
            createdAt = analysis.createdAt
            resultJSON = analysis.resultJSON
        }
    }

    var analyses: [Analysis]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = Data(#"{"analyses":["#.utf8)
        for (index, analysis) in analyses.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            let id = analysis.id.uuidString.lowercased()
            body.append(contentsOf: #"{"id":"\#(id)","created_at":"\#(Timestamp.format(analysis.createdAt))","result":"#.utf8)
            body.append(contentsOf: analysis.resultJSON.utf8)
            body.append(UInt8(ascii: "}"))
        }
        body.append(contentsOf: "]}".utf8)
        return JSONResponse.raw(body)
    }
}
