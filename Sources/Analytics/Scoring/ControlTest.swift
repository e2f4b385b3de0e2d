/// A fixed-sample test of one arm against the control, whatever the metric: what ``ArmComparisons``
/// needs to adjust it across arms and to pair it with a sequential comparison.
protocol ControlTest {
    /// Treatment minus control.
    var difference: Double { get }
    /// `difference` relative to the control's value; nil when that is 0.
    var relative: Double? { get }
    /// The two-sided p-value of the fixed-sample test.
    var pValue: Double { get }
    /// The variance of `difference`, for intervals.
    var variance: Double { get }
    /// The variance of `difference` under the null hypothesis, for the test statistic.
    var nullVariance: Double { get }
}
