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

    /// Benjamini–Hochberg step-up adjustment (1995): controls the false discovery rate.
    ///
    /// Sort ascending; the i-th smallest (1-based) becomes min over j ≥ i of m·p_(j)/j, capped at 1.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = Double(pValues.count)
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: pValues.count)
        var runningMinimum = 1.0
        for (rank, index) in order.enumerated().reversed() {
            runningMinimum = min(runningMinimum, m * pValues[index] / Double(rank + 1))
            adjusted[index] = min(1, runningMinimum)
        }
        return adjusted
    }
}
