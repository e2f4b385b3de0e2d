import Foundation

/// Fixed-horizon comparison of a treatment rate with a control rate.
///
/// - Difference interval: Wald, unpooled variance p(1−p)/n per arm.
/// - p-value: pooled two-proportion z-test, two-sided.
public struct TwoProportionTest: Sendable, Equatable {
    /// Treatment rate minus control rate.
    public let absoluteDifference: Double
    /// The difference relative to the control rate; nil when the control rate is 0.
    public let relativeDifference: Double?
    /// The Wald interval for the absolute difference.
    public let interval: ClosedRange<Double>
    /// Two-sided p-value of the pooled z-test.
    public let pValue: Double
    /// The unpooled variance of the difference (intervals).
    public let unpooledVariance: Double
    /// The variance of the difference under "no difference" (pooled rate): what tests of equality use.
    public let pooledVariance: Double

    /// - Parameters:
    ///   - treatment: Successes and trials of the treatment arm.
    ///   - control: Successes and trials of the control arm.
    ///   - alpha: 1 − the interval's coverage.
    public init(treatment: (successes: Int, trials: Int), control: (successes: Int, trials: Int), alpha: Double) {
        let nt = Double(treatment.trials)
        let nc = Double(control.trials)
        let pt = nt > 0 ? Double(treatment.successes) / nt : 0
        let pc = nc > 0 ? Double(control.successes) / nc : 0
        absoluteDifference = pt - pc
        relativeDifference = pc > 0 ? (pt - pc) / pc : nil
        let variance = (nt > 0 ? pt * (1 - pt) / nt : 0) + (nc > 0 ? pc * (1 - pc) / nc : 0)
        unpooledVariance = variance
        let z = Normal.quantile(1 - alpha / 2)
        let halfWidth = z * variance.squareRoot()
        interval = (absoluteDifference - halfWidth)...(absoluteDifference + halfWidth)
        let pooled = nt + nc > 0 ? Double(treatment.successes + control.successes) / (nt + nc) : 0
        pooledVariance = nt > 0 && nc > 0 ? pooled * (1 - pooled) * (1 / nt + 1 / nc) : 0
        let pooledStandardError = pooledVariance.squareRoot()
        if pooledStandardError > 0 {
            pValue = min(1, erfc(abs(absoluteDifference / pooledStandardError) / 2.0.squareRoot()))
        } else {
            pValue = 1
        }
    }
}
