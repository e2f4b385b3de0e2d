import Foundation

/// Draws from Binomial(n, p) with a caller's generator.
public enum BinomialSampler {
    /// The number of successes in `trials` independent trials of probability `probability`.
    ///
    /// Counts geometric waiting times between successes (Devroye 1986, §X.4), so the cost is
    /// about n·p + 1 draws instead of n.
    ///
    /// - Precondition: 0 ≤ probability ≤ 1, trials ≥ 0.
    public static func sample(trials: Int, probability: Double, using generator: inout some RandomNumberGenerator) -> Int {
        precondition((0...1).contains(probability) && trials >= 0)
        if probability == 0 || trials == 0 { return 0 }
        if probability == 1 { return trials }
        if probability > 0.5 {
            return trials - sample(trials: trials, probability: 1 - probability, using: &generator)
        }
        let logQ = log1p(-probability)
        var successes = 0
        var position = 0
        while true {
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
            position += Int((log(u) / logQ).rounded(.down)) + 1
            if position > trials { return successes }
            successes += 1
        }
    }
}
