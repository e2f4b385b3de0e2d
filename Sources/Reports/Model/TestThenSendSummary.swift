import Foundation

/// A test-then-send campaign's course: how big the test was per variant, which variant won, when, by whom or what and
/// why, and how many messages went to the rest of the audience with it.
public struct TestThenSendSummary: Sendable, Equatable, Codable {
    /// How many test messages one variant got.
    public struct TestSize: Sendable, Equatable, Codable {
        /// The variant's key.
        public var variant: String
        public var messages: Int

        public init(variant: String, messages: Int) {
            self.variant = variant
            self.messages = messages
        }
    }

    /// The winner and how it was chosen.
    public struct Winner: Sendable, Equatable, Codable {
        /// The winning variant's key.
        public var variant: String
        public var chosenAt: Date
        /// `analysis` (the sequential test decided), `deadline` (the deadline passed first), or who chose by hand
        /// (`person`, or an API token's name).
        public var chosenBy: String
        public var reason: String

        public init(variant: String, chosenAt: Date, chosenBy: String, reason: String) {
            self.variant = variant
            self.chosenAt = chosenAt
            self.chosenBy = chosenBy
            self.reason = reason
        }

        /// "by the sequential test", "at the deadline", "by hand (person)".
        public var how: String {
            switch chosenBy {
            case "analysis": "by the sequential test"
            case "deadline": "at the deadline"
            default: "by hand (\(chosenBy))"
            }
        }
    }

    /// The share of the audience that got the test (0 < share < 1).
    public var testShare: Double
    /// Test messages per variant, in the campaign's order.
    public var testSizes: [TestSize]
    /// When a winner must be chosen by; nil before the test went out.
    public var deadline: Date?
    /// Nil while the test runs.
    public var winner: Winner?
    /// Messages written for the rest of the audience (with the winner).
    public var restMessages: Int
    /// Of those, how many the mail server accepted so far.
    public var restSent: Int

    public init(testShare: Double, testSizes: [TestSize], deadline: Date?, winner: Winner?, restMessages: Int, restSent: Int) {
        self.testShare = testShare
        self.testSizes = testSizes
        self.deadline = deadline
        self.winner = winner
        self.restMessages = restMessages
        self.restSent = restSent
    }

    /// `A 1,000 · B 1,000`.
    public var sizesLine: String {
        testSizes.map { "\($0.variant) \(Format.grouped($0.messages))" }.joined(separator: " · ")
    }

    /// Test messages in all.
    public var testMessages: Int { testSizes.map(\.messages).reduce(0, +) }

    /// One sentence on the winner: `B won by the sequential test on 2026-03-04 09:00 UTC.`, or that none is chosen yet.
    public var winnerLine: String {
        guard let winner else {
            return "No winner yet: the test is running" + (deadline.map { "; one will be chosen by \(Format.minute($0))" } ?? "") + "."
        }
        return "\(winner.variant) won \(winner.how) on \(Format.minute(winner.chosenAt))."
    }

    /// `8,000 messages to the rest (7,990 sent).`
    public var restLine: String {
        guard winner != nil else { return "The rest of the audience gets the winner once it is chosen." }
        return "\(Format.grouped(restMessages)) message\(restMessages == 1 ? "" : "s") to the rest of the audience "
            + "(\(Format.grouped(restSent)) sent)."
    }
}
