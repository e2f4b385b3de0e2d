import Foundation

/// Peers' sequential decision rules, written from their published formulas for the benchmark only
/// (Herald's own rules live in the Analytics target).
///
/// GrowthBook (gbstats `SequentialTwoSidedTTest`, default tuning N* = 5,000) and Eppo (sequential
/// analysis, N = 10,000) both use the asymptotic confidence sequence of Waudby-Smith et al. (2023):
///   half-width = σ̂ · √( 2(Nρ²+1)/(N²ρ²) · log(√(Nρ²+1)/α) ),  ρ² = (−2 log α + log(−2 log α + 1)) / N*,
/// with N the total sample of both arms and σ̂² = N · Var(difference). A winner is called when the interval excludes 0.
enum PeerSequentialRules {
    static func asymptoticConfidenceSequenceRejects(
        difference: Double,
        variance: Double,
        total: Int,
        alpha: Double,
        tuning: Double
    ) -> Bool {
        guard variance > 0, total > 0 else { return false }
        let n = Double(total)
        let logAlpha = log(alpha)
        let rhoSquared = (-2 * logAlpha + log(-2 * logAlpha + 1)) / tuning
        let sigmaSquared = variance * n
        let halfWidth = (sigmaSquared * 2 * (n * rhoSquared + 1) / (n * n * rhoSquared) * log((n * rhoSquared + 1).squareRoot() / alpha)).squareRoot()
        return abs(difference) > halfWidth
    }

    /// A fixed-horizon z-test applied at every look: what people do when they "just peek".
    static func naiveZTestRejects(difference: Double, variance: Double, alpha: Double) -> Bool {
        guard variance > 0 else { return false }
        return abs(difference) / variance.squareRoot() > zQuantile(1 - alpha / 2)
    }

    private static func zQuantile(_ p: Double) -> Double {
        // Bisection on erfc, enough for a benchmark reference line.
        var low = 0.0
        var high = 10.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if 0.5 * erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return high
    }
}
