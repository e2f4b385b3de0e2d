import Foundation

/// An always-valid test of a difference: a normal-mixture confidence sequence.
///
/// Valid under continuous monitoring: the chance that the sequence ever excludes the true
/// difference, at any of arbitrarily many looks, is at most α. Asymptotic confidence
/// sequence of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2023), Theorem 2.2, with the
/// mixing variance ρ² tuned so the boundary is tightest at `tuningSampleSize` (the form
/// GrowthBook and Eppo use):
///
///     half-width(N) = s · √( 2(Nρ² + 1) / (N²ρ²) · log(√(Nρ² + 1) / α) ),
///     ρ² = (−2 log α + log(−2 log α + 1)) / N*,
///
/// where N is the total sample of both arms and s² = N · Var(difference) the per-unit variance.
/// The always-valid p-value is the smallest α whose sequence excludes 0:
/// p = min(1, √(Nρ² + 1) · exp(−d² N² ρ² / (2 s² (Nρ² + 1)))).
public struct ConfidenceSequence: Sendable, Equatable {
    /// The interval for the difference.
    public let interval: ClosedRange<Double>
    /// The always-valid p-value for "no difference".
    public let pValue: Double

    /// - Parameters:
    ///   - difference: The estimated difference (treatment − control).
    ///   - variance: The estimated variance of `difference`.
    ///   - sampleSize: The total number of units behind the estimate (both arms).
    ///   - alpha: The error allowed over all looks.
    ///   - tuningSampleSize: The sample size at which the boundary is tightest.
    public init(difference: Double, variance: Double, sampleSize: Int, alpha: Double, tuningSampleSize: Double) {
        let n = Double(sampleSize)
        guard n > 0, variance > 0 else {
            interval = -1...1
            pValue = 1
            return
        }
        let logAlpha = log(alpha)
        let rhoSquared = (-2 * logAlpha + log(-2 * logAlpha + 1)) / tuningSampleSize
        let unitVariance = variance * n
        let spread = n * rhoSquared + 1
        let halfWidth = (unitVariance * 2 * spread / (n * n * rhoSquared) * log(spread.squareRoot() / alpha)).squareRoot()
        interval = (difference - halfWidth)...(difference + halfWidth)
        let exponent = -difference * difference * n * n * rhoSquared / (2 * unitVariance * spread)
        pValue = min(1, spread.squareRoot() * exp(exponent))
    }
}
