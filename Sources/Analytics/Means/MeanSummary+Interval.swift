import Foundation

extension MeanSummary {
    /// The t interval of the mean from the sufficient statistics: mean ± t(n − 1) · s/√n, with s from the sum
    /// and sum of squares (the one-sample case of Welch's interval).
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

    /// The interval of a positive mean on the log scale (delta method): mean · exp(± t(n − 1) · s/(√n · mean)),
    /// the t interval otherwise (mean ≤ 0).
    ///
    /// Made for zero-heavy, right-skewed data such as revenue per impression (most impressions are worth 0, a
    /// few conversions carry log-normal-like values): the t interval's misses pile up above it there, because a
    /// sample that happens to lack the large values has both a low mean and a small standard error. The log
    /// scale stretches the interval upward and keeps it above 0. It needs no third moment, so it works from
    /// the rollups' n, sum and sum of squares. Simulated coverage at 95% (`ValueStatisticsTests`): about 94–95%
    /// with 60 or more conversions where the t interval gives 92%; both undercover with only a handful.
    ///
    /// - Parameter alpha: 1 − the level.
    public func logScaleInterval(alpha: Double) -> ClosedRange<Double> {
        let standardError = varianceOfMean.squareRoot()
        guard n > 1, standardError > 0 else { return mean...mean }
        guard mean > 0 else { return interval(alpha: alpha) }
        let factor = exp(StudentT(degreesOfFreedom: Double(n - 1)).quantile(1 - alpha / 2) * standardError / mean)
        return (mean / factor)...(mean * factor)
    }
}
