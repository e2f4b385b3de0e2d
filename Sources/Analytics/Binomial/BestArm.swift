import Foundation

/// Which of several posteriors (Beta for rates, normal for means) is largest, and what choosing each would cost.
///
/// Both quantities are one-dimensional integrals, computed by adaptive Gauss–Kronrod
/// quadrature rather than Monte Carlo, so they are deterministic and accurate to about 1e-9:
///
/// - P(i is best) = ∫ fᵢ(x) ∏_{j≠i} Fⱼ(x) dx
/// - E[max_j pⱼ] = ∫₀¹ (1 − ∏ⱼ Fⱼ(x)) dx, so the expected loss of i is E[max] − E[pᵢ].
///
/// Each integral runs only where the integrand is not negligible: between the 1e-15 and
/// 1 − 1e-15 quantiles of the arms involved.
public struct BestArm<Posterior: UnivariatePosterior>: Sendable {
    /// The posteriors compared.
    public let posteriors: [Posterior]
    private let bounds: [ClosedRange<Double>]

    /// The probability mass left out of each posterior's integration range, per tail.
    static var tailMass: Double { 1e-15 }

    public init(posteriors: [Posterior]) {
        self.posteriors = posteriors
        bounds = posteriors.map { $0.quantile(Self.tailMass)...$0.quantile(1 - Self.tailMass) }
    }

    /// P(arm i has the largest rate), for each arm; sums to 1.
    ///
    /// - Complexity: O(k²) CDF evaluations per quadrature node, k the number of arms.
    public func probabilityOfBeingBest() -> [Double] {
        guard posteriors.count > 1 else { return posteriors.map { _ in 1 } }
        return posteriors.indices.map { index in
            let range = bounds[index]
            // Arms whose whole mass lies below `range` have F = 1 there: skip them. Any arm wholly above makes P = 0.
            let others = posteriors.indices.filter { $0 != index && bounds[$0].upperBound > range.lowerBound }
            if others.contains(where: { bounds[$0].lowerBound >= range.upperBound }) { return 0 }
            let value = Quadrature.integrate(from: range.lowerBound, to: range.upperBound, tolerance: 1e-11) { x in
                var product = posteriors[index].density(x)
                for other in others {
                    if product == 0 { break }
                    product *= posteriors[other].cdf(x)
                }
                return product
            }
            return min(max(value, 0), 1)
        }
    }

    /// E[max_j pⱼ − pᵢ] for each arm: the rate given up, on average, by choosing arm i.
    public func expectedLoss() -> [Double] {
        let lower = bounds.map(\.lowerBound).min() ?? 0
        let upper = bounds.map(\.upperBound).max() ?? 1
        let aboveLower = Quadrature.integrate(from: lower, to: upper, tolerance: 1e-12) { x in
            var product = 1.0
            for posterior in posteriors {
                product *= posterior.cdf(x)
                if product == 0 { break }
            }
            return 1 - product
        }
        let expectedMaximum = lower + aboveLower
        return posteriors.map { max(0, expectedMaximum - $0.mean) }
    }
}
