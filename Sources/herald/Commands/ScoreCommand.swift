import Analytics
import ArgumentParser
import Foundation
import HeraldCore

/// `herald score`: stateless scoring, JSON in and out.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score A/B arms from JSON on standard input (one object, or NDJSON: one answer line per input line).",
        discussion: """
            in:  {"control": "A", "arms": [{"id": "A", "trials": 10000, "successes": 420, "weight": 0.5}, ...],
                  "alpha": 0.05, "prior": {"alpha": 1, "beta": 1}, "design": {"horizon": 200000, "looks": [20000]}}
            out: per arm rate, posterior (mean, credible interval), p_best, expected_loss, vs_control \
            (Wald interval, pooled z-test, Holm, always-valid sequential test); srm; recommendations.
            """
    )

    @Option(help: "Error rate for intervals and decisions (overrides the input's alpha).") var alpha: Double?
    @Option(help: "binomial (trials, successes per arm) or mean (n, sum, sum_squares per arm).") var metric: Metric = .binomial

    enum Metric: String, ExpressibleByArgument, CaseIterable {
        case binomial, mean
    }
    @Flag(help: "Indent the output (single input only).") var pretty = false

    func run() async throws {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw HeraldCore.ValidationError(location: "stdin", field: "", reason: "expected a JSON object with arms (see `herald score --help`)")
        }
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        // One document (possibly spread over lines), or NDJSON when it is not one document.
        if lines.count <= 1 || (try? JSONSerialization.jsonObject(with: data)) != nil {
            print(try answer(Data(text.utf8), location: "stdin", pretty: pretty))
            return
        }
        var failures = 0
        for (index, line) in lines.enumerated() {
            do {
                print(try answer(Data(line.utf8), location: "stdin:\(index + 1)", pretty: false))
            } catch {
                failures += 1
                let message = "\(error)"
                print(try Terminal.json(["error": ["line": "\(index + 1)", "message": message]], pretty: false))
                Terminal.error("herald: \(message)")
            }
        }
        if failures > 0 {
            throw CommandFailure(message: "\(failures) of \(lines.count) inputs were refused")
        }
    }

    func answer(_ data: Data, location: String, pretty: Bool) throws -> String {
        switch metric {
        case .binomial:
            return try answer(data, location: location, pretty: pretty) { (input: inout ScoreInput) throws(HeraldCore.ValidationError) in
                if let alpha { input.alpha = alpha }
                return try Scorer.score(input)
            }
        case .mean:
            return try answer(data, location: location, pretty: pretty) { (input: inout MeanScoreInput) throws(HeraldCore.ValidationError) in
                if let alpha { input.alpha = alpha }
                return try Scorer.score(input)
            }
        }
    }

    /// Decodes one input, scores it, and locates any error at `location`.
    func answer<Input: Decodable, Output: Encodable>(
        _ data: Data,
        location: String,
        pretty: Bool,
        score: (inout Input) throws(HeraldCore.ValidationError) -> Output
    ) throws -> String {
        var input: Input
        do {
            input = try JSONDecoder().decode(Input.self, from: data)
        } catch {
            throw HeraldCore.ValidationError(decoding: error, location: location)
        }
        let result: Output
        do {
            result = try score(&input)
        } catch {
            throw error.at(location)
        }
        return try Terminal.json(result, pretty: pretty)
    }
}
