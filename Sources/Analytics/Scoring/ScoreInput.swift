import HeraldCore

/// What `herald score` reads: binomial counts per arm, the control, and optional settings.
///
/// ```json
/// {"control": "A", "arms": [{"id": "A", "trials": 10000, "successes": 420, "weight": 0.5}, ...],
///  "alpha": 0.05, "prior": {"alpha": 1, "beta": 1}, "design": {"horizon": 200000, "looks": [20000, 41000]}}
/// ```
public struct ScoreInput: Codable, Sendable, Equatable {
    /// One arm's counts.
    public struct Arm: Codable, Sendable, Equatable {
        /// The arm's name, unique in the input.
        public var id: String
        /// Trials (impressions).
        public var trials: Int
        /// Successes (e.g. clicks), at most `trials`.
        public var successes: Int
        /// Planned share of traffic, for the sample-ratio check.
        public var weight: Double?
        /// Independent units assigned to the arm, when they are not its trials (posts, on a channel where one post
        /// reaches every follower and its impressions come in one lump): the sample-ratio check counts these.
        public var assigned: Int?

        public init(id: String, trials: Int, successes: Int, weight: Double? = nil, assigned: Int? = nil) {
            self.id = id
            self.trials = trials
            self.successes = successes
            self.weight = weight
            self.assigned = assigned
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            trials = try container.decodeWholeNumber(forKey: .trials)
            successes = try container.decodeWholeNumber(forKey: .successes)
            weight = try container.decodeIfPresent(Double.self, forKey: .weight)
            assigned = try container.decodeIfPresent(Int.self, forKey: .assigned)
        }
    }

    /// The Beta prior on every arm's rate.
    public struct Prior: Codable, Sendable, Equatable {
        public var alpha: Double
        public var beta: Double

        public init(alpha: Double, beta: Double) {
            self.alpha = alpha
            self.beta = beta
        }
    }

    /// A planned test: total trials at the end and at each earlier look.
    public struct Design: Codable, Sendable, Equatable {
        public var horizon: Int
        public var looks: [Int]?

        public init(horizon: Int, looks: [Int]? = nil) {
            self.horizon = horizon
            self.looks = looks
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            horizon = try container.decodeWholeNumber(forKey: .horizon)
            looks = try container.decodeIfPresent([Double].self, forKey: .looks).map { values in
                try values.enumerated().map { index, value in
                    guard value.rounded() == value, value.isFinite, abs(value) < 1e15 else {
                        throw DecodingError.dataCorrupted(
                            .init(
                                codingPath: container.codingPath + [CodingKeys.looks],
                                debugDescription: "looks[\(index)] must be a whole number, found \(value)"
                            )
                        )
                    }
                    return Int(value)
                }
            }
        }
    }

    /// The id of the control arm; the first arm when absent.
    public var control: String?
    /// The arms, at least two.
    public var arms: [Arm]
    /// Error rate for intervals and decisions; 0.05 when absent.
    public var alpha: Double?
    /// Beta prior; Beta(1, 1) when absent.
    public var prior: Prior?
    /// The planned test, if any.
    public var design: Design?

    public init(control: String? = nil, arms: [Arm], alpha: Double? = nil, prior: Prior? = nil, design: Design? = nil) {
        self.control = control
        self.arms = arms
        self.alpha = alpha
        self.prior = prior
        self.design = design
    }

    /// Checks the counts and settings; the error names the field.
    public func validate() throws(ValidationError) {
        guard arms.count >= 2 else {
            throw ValidationError(field: "arms", reason: "needs at least 2 arms to compare, found \(arms.count)")
        }
        var seen = Set<String>()
        for (index, arm) in arms.enumerated() {
            let field = "arms[\(index)]"
            guard !arm.id.isEmpty else { throw ValidationError(field: "\(field).id", reason: "must not be empty") }
            guard seen.insert(arm.id).inserted else {
                throw ValidationError(field: "\(field).id", reason: "\"\(arm.id)\" is used by another arm")
            }
            guard arm.trials >= 0 else {
                throw ValidationError(field: "\(field).trials", reason: "must not be negative, found \(arm.trials)")
            }
            guard arm.successes >= 0 else {
                throw ValidationError(field: "\(field).successes", reason: "must not be negative, found \(arm.successes)")
            }
            if let assigned = arm.assigned, assigned < 0 {
                throw ValidationError(field: "\(field).assigned", reason: "must not be negative, found \(assigned)")
            }
            guard arm.successes <= arm.trials else {
                throw ValidationError(
                    field: "\(field).successes",
                    reason: "\(arm.successes) successes exceed \(arm.trials) trials"
                )
            }
            if let weight = arm.weight, !(weight > 0 && weight.isFinite) {
                throw ValidationError(field: "\(field).weight", reason: "must be a positive number, found \(weight)")
            }
        }
        let weighted = arms.filter { $0.weight != nil }.count
        guard weighted == 0 || weighted == arms.count else {
            throw ValidationError(field: "arms", reason: "give a weight for every arm or for none")
        }
        if let control, !seen.contains(control) {
            throw ValidationError(
                field: "control",
                reason: "\"\(control)\" is not one of the arms (\(arms.map(\.id).joined(separator: ", ")))"
            )
        }
        if let alpha, !(alpha > 0 && alpha < 0.5) {
            throw ValidationError(field: "alpha", reason: "must be between 0 and 0.5, found \(alpha)")
        }
        if let prior {
            guard prior.alpha > 0, prior.alpha.isFinite else {
                throw ValidationError(field: "prior.alpha", reason: "must be a positive number, found \(prior.alpha)")
            }
            guard prior.beta > 0, prior.beta.isFinite else {
                throw ValidationError(field: "prior.beta", reason: "must be a positive number, found \(prior.beta)")
            }
        }
        if let design {
            guard design.horizon > 0 else {
                throw ValidationError(field: "design.horizon", reason: "must be positive, found \(design.horizon)")
            }
            var previous = 0
            for (index, look) in (design.looks ?? []).enumerated() {
                // A look past the horizon is allowed: traffic overruns a plan, and such a look is the final analysis.
                guard look > previous else {
                    throw ValidationError(
                        field: "design.looks[\(index)]",
                        reason: "looks must be positive and increase, found \(look) after \(previous)"
                    )
                }
                previous = look
            }
        }
    }
}
