import Analytics
import Hummingbird

/// `POST /v1/campaigns/{campaign}/analyses`: the campaign's score, in the shape `herald score` prints.
struct AnalysisResponse: ResponseEncodable {
    var score: ScoreResult

    func encode(to encoder: any Encoder) throws {
        try score.encode(to: encoder)
    }
}
