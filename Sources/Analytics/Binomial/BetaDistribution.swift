import Foundation

/// The Beta(α, β) distribution: the posterior of a conversion rate after a Beta prior and binomial data.
public struct BetaDistribution: Sendable, Equatable {
    /// First shape parameter (prior α + successes).
    public let alpha: Double
    /// Second shape parameter (prior β + failures).
    public let beta: Double
    private let logNormalizer: Double

    /// - Precondition: α > 0 and β > 0.
    public init(alpha: Double, beta: Double) {
        precondition(alpha > 0 && beta > 0, "Beta parameters must be positive")
        self.alpha = alpha
        self.beta = beta
        logNormalizer = SpecialFunctions.logBeta(alpha, beta)
    }

    /// The posterior after `successes` out of `trials` under a Beta(prior α, prior β) prior.
    public init(successes: Int, trials: Int, prior: (alpha: Double, beta: Double) = (1, 1)) {
        self.init(alpha: prior.alpha + Double(successes), beta: prior.beta + Double(trials - successes))
    }

    /// α / (α + β).
    public var mean: Double { alpha / (alpha + beta) }

    /// The variance αβ / ((α+β)²(α+β+1)).
    public var variance: Double {
        let total = alpha + beta
        return alpha * beta / (total * total * (total + 1))
    }

    /// The density at x.
    public func density(_ x: Double) -> Double {
        guard x > 0, x < 1 else {
            if x == 0 { return alpha < 1 ? .infinity : (alpha == 1 ? exp(-logNormalizer) : 0) }
            if x == 1 { return beta < 1 ? .infinity : (beta == 1 ? exp(-logNormalizer) : 0) }
            return 0
        }
        return exp((alpha - 1) * log(x) + (beta - 1) * log1p(-x) - logNormalizer)
    }

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        SpecialFunctions.regularizedIncompleteBeta(x: x, a: alpha, b: beta)
    }

    /// The p-quantile.
    public func quantile(_ p: Double) -> Double {
        SpecialFunctions.inverseRegularizedIncompleteBeta(p: p, a: alpha, b: beta)
    }

    /// The equal-tailed credible interval with `1 − significance` of the mass: `credibleInterval(alpha: 0.05)` is the central 95%.
    public func credibleInterval(alpha significance: Double) -> ClosedRange<Double> {
        quantile(significance / 2)...quantile(1 - significance / 2)
    }
}
