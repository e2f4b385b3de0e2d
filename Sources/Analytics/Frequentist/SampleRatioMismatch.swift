import Foundation

/// Sample ratio mismatch: are the arms' trial counts what the planned split would give?
///
/// Pearson chi-square goodness-of-fit against the planned weights, k − 1 degrees of freedom.
/// A mismatch (p below `threshold`, 0.001 by convention) means the assignment or the tracking
/// is broken, and no comparison between the arms should be trusted.
public struct SampleRatioMismatch: Sendable, Equatable {
    /// The chi-square statistic.
    public let statistic: Double
    /// P(χ²_{k−1} ≥ statistic).
    public let pValue: Double
    /// Whether `pValue` is below the threshold.
    public let detected: Bool
    /// An anytime-valid p-value for checking the split again and again: 1 / Bayes factor of a
    /// Dirichlet-multinomial alternative (concentration 100 around the plan) against the planned
    /// multinomial, after Lindon & Malek (2022), "Anytime-valid inference for multinomial count data".
    public let sequentialPValue: Double

    /// - Parameters:
    ///   - trials: Trials per arm.
    ///   - weights: Planned share per arm (any positive scale); equal when nil.
    ///   - threshold: The p-value below which a mismatch is declared.
    public init(trials: [Int], weights: [Double]?, threshold: Double = 0.001) {
        let total = Double(trials.reduce(0, +))
        let planned = weights ?? Array(repeating: 1, count: trials.count)
        let weightSum = planned.reduce(0, +)
        guard total > 0, trials.count > 1, weightSum > 0 else {
            statistic = 0
            pValue = 1
            detected = false
            sequentialPValue = 1
            return
        }
        var chiSquare = 0.0
        for (observed, weight) in zip(trials, planned) {
            let expected = total * weight / weightSum
            chiSquare += (Double(observed) - expected) * (Double(observed) - expected) / expected
        }
        statistic = chiSquare
        pValue = SpecialFunctions.regularizedGammaQ(s: Double(trials.count - 1) / 2, x: chiSquare / 2)
        detected = pValue < threshold
        let shares = planned.map { $0 / weightSum }
        let concentration = 100.0
        var logFactor = lgamma(concentration) - lgamma(concentration + total)
        for (observed, share) in zip(trials, shares) {
            let prior = concentration * share
            logFactor += lgamma(prior + Double(observed)) - lgamma(prior) - Double(observed) * log(share)
        }
        sequentialPValue = min(1, exp(-logFactor))
    }
}
