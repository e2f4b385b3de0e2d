import Analytics
import Foundation
import HeraldCore
import Jobs
import Testing

/// The pure decision of one look: declare on the sequential test, choose the leader at the deadline, else look again.
struct WinnerDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_772_438_400)

    static func score(_ arms: [(String, Int, Int)]) throws -> ScoreResult {
        try Scorer.score(ScoreInput(control: arms.first?.0, arms: arms.map { ScoreInput.Arm(id: $0.0, trials: $0.1, successes: $0.2) }))
    }

    @Test func aSequentialWinnerIsDeclaredWithTheLookInTheReason() throws {
        let decision = WinnerDecision.decide(
            score: try Self.score([("A", 20_000, 600), ("B", 20_000, 1_000)]),
            look: 4,
            deadline: Self.now.addingTimeInterval(86_400),
            now: Self.now,
            every: 6 * 3_600
        )
        guard case .choose(let key, let chosenBy, let reason) = decision else {
            Issue.record("no winner: \(decision)")
            return
        }
        #expect(key == "B" && chosenBy == "analysis")
        #expect(reason.hasPrefix("B beat A: sequential p"))
        #expect(reason.contains("at look 4."))
    }

    @Test func beforeTheDeadlineTheNextLookComesAfterTheIntervalOrAtTheDeadline() throws {
        let even = try Self.score([("A", 1_000, 30), ("B", 1_000, 31)])
        let deadline = Self.now.addingTimeInterval(2 * 3_600)
        #expect(
            WinnerDecision.decide(score: even, look: 1, deadline: nil, now: Self.now, every: 6 * 3_600)
                == .lookAgain(at: Self.now.addingTimeInterval(6 * 3_600))
        )
        #expect(WinnerDecision.decide(score: even, look: 1, deadline: deadline, now: Self.now, every: 6 * 3_600) == .lookAgain(at: deadline))
        #expect(
            WinnerDecision.decide(score: even, look: 1, deadline: Self.now.addingTimeInterval(86_400), now: Self.now, every: 3_600)
                == .lookAgain(at: Self.now.addingTimeInterval(3_600))
        )
    }

    @Test func atTheDeadlineTheLeaderIsChosenAndTheReasonSaysThereWasNoDifference() throws {
        let decision = WinnerDecision.decide(
            score: try Self.score([("A", 1_000, 30), ("B", 1_000, 36), ("C", 1_000, 20)]),
            look: 12,
            deadline: Self.now,
            now: Self.now,
            every: 6 * 3_600
        )
        guard case .choose(let key, let chosenBy, let reason) = decision else {
            Issue.record("no winner: \(decision)")
            return
        }
        #expect(key == "B" && chosenBy == "deadline")
        #expect(
            reason.hasPrefix("deadline passed without a significant difference at look 12; B had the highest rate (3.60%), p_best 0."),
            "\(reason)"
        )
        // No data at all: the first arm, saying so.
        let empty = WinnerDecision.decide(score: try Self.score([("A", 0, 0), ("B", 0, 0)]), look: 2, deadline: Self.now, now: Self.now, every: 60)
        guard case .choose(_, _, let emptyReason) = empty else {
            Issue.record("no winner: \(empty)")
            return
        }
        #expect(emptyReason.contains("no variant had data yet"))
    }

    @Test func atTheDeadlineOnlyAVariantOfTheAudiencesChannelWinsAndWithoutAnyArmTheFirstDoes() throws {
        let deadline = Self.now
        // B leads, but it is not written for the audience's channel: A, the only candidate, wins.
        let led = try Self.score([("A", 1_000, 30), ("B", 1_000, 34)])
        guard
            case .choose(let key, let chosenBy, _) = WinnerDecision.decide(
                score: led,
                look: 2,
                deadline: deadline,
                now: Self.now,
                every: 3_600,
                candidates: ["A"]
            )
        else {
            Issue.record("no winner at the deadline")
            return
        }
        #expect(key == "A" && chosenBy == "deadline")
        // No arm among the candidates (the test sent nothing to them): the first candidate, with a reason that says so.
        guard
            case .choose(let first, _, let reason) = WinnerDecision.decide(
                score: led,
                look: 1,
                deadline: deadline,
                now: Self.now,
                every: 3_600,
                candidates: ["C", "D"]
            )
        else {
            Issue.record("a test without arms waits for ever")
            return
        }
        #expect(first == "C" && reason.contains("no test message was sent"))
    }
}
