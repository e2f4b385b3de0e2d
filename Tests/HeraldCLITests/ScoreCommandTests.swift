import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import Testing

struct ScoreCommandTests {
    @Test func scoresOneObjectPerContract() async throws {
        let input = #"{"control": "A", "arms": [{"id": "A", "trials": 10000, "successes": 420}, {"id": "B", "trials": 10000, "successes": 520}]}"#
        let result = try await HeraldCommand.run(["score"], input: input)
        #expect(result.succeeded, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let arms = try #require(object["arms"] as? [[String: Any]])
        #expect(arms.count == 2)
        let pBest = try #require(arms[1]["p_best"] as? Double)
        // Reference (SciPy, Fixtures/score_cases.json, "two arms, clear winner").
        #expect(abs(pBest - 0.999584328119731) < 1e-7)
        #expect(object["srm"] != nil && object["recommendations"] != nil)
    }

    @Test func ndjsonGivesOneLinePerLine() async throws {
        let line = #"{"arms": [{"id": "A", "trials": 100, "successes": 4}, {"id": "B", "trials": 100, "successes": 9}]}"#
        let result = try await HeraldCommand.run(["score", "--alpha", "0.1"], input: line + "\n" + line + "\n")
        #expect(result.succeeded)
        #expect(result.standardOutput.split(separator: "\n").count == 2)
    }

    @Test(arguments: [
        (
            #"{"arms": [{"id": "A", "trials": 10, "successes": 11}, {"id": "B", "trials": 10, "successes": 1}]}"#,
            "stdin: arms[0].successes: 11 successes exceed 10 trials"
        ),
        (
            #"{"arms": [{"id": "A", "trials": -5, "successes": 0}, {"id": "B", "trials": 10, "successes": 1}]}"#,
            "stdin: arms[0].trials: must not be negative"
        ),
        (#"{"arms": [{"id": "A", "trials": 5, "successes": 0}]}"#, "stdin: arms: needs at least 2 arms"),
        (
            #"{"control": "X", "arms": [{"id": "A", "trials": 5, "successes": 0}, {"id": "B", "trials": 5, "successes": 0}]}"#,
            "stdin: control: \"X\" is not one of the arms"
        ),
        (
            #"{"arms": [{"id": "A", "trials": 5.5, "successes": 0}, {"id": "B", "trials": 5, "successes": 0}]}"#,
            "stdin: arms[0].trials: must be a whole number"
        ),
        ("not json", "stdin: not valid JSON"),
        ("", "stdin: expected a JSON object"),
    ])
    func malformedInputIsOneClearLine(input: String, message: String) async throws {
        let result = try await HeraldCommand.run(["score"], input: input)
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(isOneLine(result.standardError), "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }
}
