import Foundation

extension MeanSummary {
    /// The t interval of the mean from the sufficient statistics (Student's t with n − 1 degrees of freedom,
    /// standard error s/√n from the sum and sum of squares).
    ///
    /// This is the one-sample case of the Welch-type interval: it needs no model of the values, so it holds
    /// for zero-heavy data such as revenue per impression, where most impressions are worth 0 and a few
    /// conversions carry skewed values; it relies on the central limit theorem over the n units, which
    /// the simulation in `ValueIntervalTests` checks at the sample sizes campaigns reach.
    ///
    /// ```swift
    /// MeanSummary(n: 4, sum: 10, sumSquares: 50).interval(alpha: 0.05)  // 2.5 ± 3.182·√(25/12)/2
    /// ```
    ///
    /// - Parameter alpha: 1 − the level.
    /// - Returns: The interval; a single point when n < 2 or every value is the same.
    public func interval(alpha: Double) -> ClosedRange<Double> {
        let standardError = varianceOfMean.squareRoot()
        guard n > 1, standardError > 0 else { return mean...mean }
        let half = StudentT(degreesOfFreedom: Double(n - 1)).quantile(1 - alpha / 2) * standardError
        return (mean - half)...(mean + half)
    }
}
