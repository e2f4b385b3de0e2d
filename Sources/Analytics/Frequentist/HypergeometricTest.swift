import Foundation

/// One-sided Fisher exact test of a part against the rest: is the part's rate higher than the rest's?
///
/// Conditional on the total successes, under equal rates the part's successes follow the hypergeometric
/// distribution, and the p-value is its upper tail P(X ≥ k) (Fisher 1935; Agresti, *Categorical Data
/// Analysis*, 3.5). The test is exact, hence conservative on discrete data: its false positive rate never
/// exceeds the level, however few successes there are.
public enum HypergeometricTest {
    /// P(X ≥ successes) for X ~ Hypergeometric(population, populationSuccesses, draws).
    ///
    /// ```swift
    /// HypergeometricTest.upperTail(successes: 30, draws: 500, populationSuccesses: 200, population: 10_000)
    /// ```
    ///
    /// - Parameters:
    ///   - successes: Successes in the part (k).
    ///   - draws: Trials in the part (n).
    ///   - populationSuccesses: Successes in part and rest together (K).
    ///   - population: Trials in part and rest together (N).
    /// - Complexity: O(min(n, K) − k) terms, each from the previous by the pmf ratio.
    public static func upperTail(successes k: Int, draws n: Int, populationSuccesses K: Int, population N: Int) -> Double {
        precondition(N >= 0 && n >= 0 && n <= N && K >= 0 && K <= N, "invalid hypergeometric parameters")
        let lowest = max(0, n + K - N)
        let highest = min(n, K)
        if k <= lowest { return 1 }
        if k > highest { return 0 }
        // log pmf(k) = log C(K, k) + log C(N − K, n − k) − log C(N, n)
        let logFirst = logChoose(K, k) + logChoose(N - K, n - k) - logChoose(N, n)
        var term = 1.0
        var sum = 1.0
        var x = k
        while x < highest {
            term *= Double(K - x) * Double(n - x) / (Double(x + 1) * Double(N - K - n + x + 1))
            sum += term
            x += 1
            if term < sum * 1e-17 { break }
        }
        return min(1, exp(logFirst) * sum)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }
}
