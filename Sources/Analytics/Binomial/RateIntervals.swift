import Foundation

/// Frequentist intervals for rates and their ratio.
public enum RateIntervals {
    /// The Wilson score interval for successes out of trials (Wilson 1927): well behaved near 0 and 1.
    public static func wilson(successes: Int, trials: Int, alpha: Double) -> ClosedRange<Double> {
        guard trials > 0 else { return 0...1 }
        let n = Double(trials)
        let p = Double(successes) / n
        let z = Normal.quantile(1 - alpha / 2)
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return max(0, center - half)...min(1, center + half)
    }

    /// Interval for the relative lift (treatment rate / control rate − 1) from the log rate ratio
    /// (Katz et al. 1978): var(log RR) = 1/s_t − 1/n_t + 1/s_c − 1/n_c. Nil when either arm has no successes.
    public static func relativeLift(
        treatment: (successes: Int, trials: Int),
        control: (successes: Int, trials: Int),
        alpha: Double
    ) -> ClosedRange<Double>? {
        guard treatment.successes > 0, control.successes > 0, treatment.trials > 0, control.trials > 0 else { return nil }
        let ratio = (Double(treatment.successes) / Double(treatment.trials)) / (Double(control.successes) / Double(control.trials))
        let variance = 1 / Double(treatment.successes) - 1 / Double(treatment.trials) + 1 / Double(control.successes) - 1 / Double(control.trials)
        let half = Normal.quantile(1 - alpha / 2) * max(variance, 0).squareRoot()
        return (exp(log(ratio) - half) - 1)...(exp(log(ratio) + half) - 1)
    }
}
