/// Adjustments of p-values for testing several arms against one control.
public enum MultipleTesting {
    /// Holm's step-down adjustment (Holm 1979): controls the family-wise error rate.
    ///
    /// Sort ascending, multiply the i-th smallest (0-based) by (m − i), carry the running
    /// maximum, cap at 1, and return in the input order.
    ///
    /// ```swift
    /// MultipleTesting.holm([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
    /// ```
    public static func holm(_ pValues: [Double]) -> [Double] {
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: pValues.count)
        var runningMaximum = 0.0
        for (rank, index) in order.enumerated() {
            runningMaximum = max(runningMaximum, min(1, Double(pValues.count - rank) * pValues[index]))
            adjusted[index] = runningMaximum
        }
        return adjusted
    }
}
