import Foundation

/// A simulated audience (SIMULATION: no real people): the true rate of a post from its content, channel and hour of the
/// week, times a day's noise and a novelty that decays. `herald bench autopilot` draws its days from it, and `herald
/// demo` its clicks.
///
/// rate = base × content × channel × hour of week × day factor, where the day factor is a draw in 0.85…1.15 times
/// 1 + 0.3·e^(−day/3) (novelty: the first days engage more).
public struct AudienceModel: Sendable {
    /// What the model reads of a post's text (from its content features).
    public struct Content: Sendable, Equatable {
        public var hasQuestion: Bool
        public var hasNumber: Bool
        public var hasCallToAction: Bool
        public var emojiCount: Int
        public var hashtagCount: Int
        public var words: Int

        public init(hasQuestion: Bool, hasNumber: Bool, hasCallToAction: Bool, emojiCount: Int, hashtagCount: Int, words: Int) {
            self.hasQuestion = hasQuestion
            self.hasNumber = hasNumber
            self.hasCallToAction = hasCallToAction
            self.emojiCount = emojiCount
            self.hashtagCount = hashtagCount
            self.words = words
        }
    }

    /// The rate of an average post at an average hour (before the day's factor).
    public var baseRate: Double

    public init(baseRate: Double) {
        self.baseRate = baseRate
    }

    /// How much a post's content moves its rate: a question +15 %, a number +10 %, a call to action +20 %, a first emoji
    /// +5 %, each hashtag past two −6 %, every word past 25 −1 % (at most −30 %), times the post's own `quirk` (what no
    /// feature captures).
    public func contentFactor(_ content: Content, quirk: Double = 1) -> Double {
        var factor = quirk
        if content.hasQuestion { factor *= 1.15 }
        if content.hasNumber { factor *= 1.10 }
        if content.hasCallToAction { factor *= 1.20 }
        if content.emojiCount > 0 { factor *= 1.05 }
        factor *= pow(0.94, Double(max(0, content.hashtagCount - 2)))
        factor *= 1 - min(0.3, 0.01 * Double(max(0, content.words - 25)))
        return factor
    }

    /// How a channel's audience engages relative to the average: LinkedIn and email more, X and Instagram less.
    public static func channelFactor(_ channel: String) -> Double {
        switch channel {
        case "linkedin": 1.2
        case "email": 1.3
        case "sms": 1.1
        case "x": 0.85
        case "instagram": 0.9
        default: 1
        }
    }

    /// The hour of the week's factor (`hourOfWeek` 0 = Monday 00:00 local, … 167): a lunch and an evening peak, quiet
    /// nights, weekends a little lower.
    public static func hourFactor(hourOfWeek: Int) -> Double {
        let hour = Double(((hourOfWeek % 24) + 24) % 24)
        let day = ((hourOfWeek / 24) % 7 + 7) % 7
        let lunch = 0.35 * exp(-pow(hour - 12.5, 2) / 4)
        let evening = 0.5 * exp(-pow(hour - 19.5, 2) / 5)
        let night = hour < 6 ? 0.5 : 0.75
        return (night + lunch + evening) * (day >= 5 ? 0.9 : 1)
    }

    /// The true rate of a post.
    public func rate(content: Content, quirk: Double = 1, channel: String, hourOfWeek: Int, dayFactor: Double) -> Double {
        min(1, baseRate * contentFactor(content, quirk: quirk) * Self.channelFactor(channel) * Self.hourFactor(hourOfWeek: hourOfWeek) * dayFactor)
    }

    /// Each day's factor, shared by every variant (they face the same audience): day-to-day noise in 0.85…1.15 and a
    /// novelty that decays (1 + 0.3·e^(−day/3)).
    public static func dayFactors(days: Int, using random: inout some RandomNumberGenerator) -> [Double] {
        (0..<max(0, days)).map { day in Double.random(in: 0.85...1.15, using: &random) * (1 + 0.3 * exp(-Double(day) / 3)) }
    }
}
