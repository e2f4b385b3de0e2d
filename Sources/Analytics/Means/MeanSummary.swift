import Foundation

/// Sufficient statistics of a count or revenue metric per unit (e.g. revenue per impression):
/// n units, the sum and the sum of squares of their values, as the rollups keep them.
public struct MeanSummary: Sendable, Equatable {
    public var n: Int
    public var sum: Double
    public var sumSquares: Double

    public init(n: Int, sum: Double, sumSquares: Double) {
        self.n = n
        self.sum = sum
        self.sumSquares = sumSquares
    }

    public var mean: Double { n > 0 ? sum / Double(n) : 0 }

    /// The sample variance (n − 1 in the denominator), never negative.
    public var variance: Double {
        guard n > 1 else { return 0 }
        return max(0, (sumSquares - sum * sum / Double(n)) / Double(n - 1))
    }

    /// The variance of the mean.
    public var varianceOfMean: Double { n > 0 ? variance / Double(n) : 0 }
}

/// Welch's unequal-variance comparison of a treatment mean with a control mean, with the
/// delta-method interval of the relative lift.
public struct WelchTest: Sendable, Equatable {
    public let difference: Double
    public let interval: ClosedRange<Double>
    public let pValue: Double
    /// Welch–Satterthwaite degrees of freedom.
    public let degreesOfFreedom: Double
    public let variance: Double
    /// (treatment − control) / control; nil when the control mean is 0.
    public let relative: Double?
    public let relativeInterval: ClosedRange<Double>?

    public init(treatment: MeanSummary, control: MeanSummary, alpha: Double) {
        difference = treatment.mean - control.mean
        let vt = treatment.varianceOfMean
        let vc = control.varianceOfMean
        variance = vt + vc
        let standardError = variance.squareRoot()
        let denominator = (treatment.n > 1 ? vt * vt / Double(treatment.n - 1) : 0) + (control.n > 1 ? vc * vc / Double(control.n - 1) : 0)
        degreesOfFreedom = denominator > 0 ? variance * variance / denominator : 1
        if standardError > 0 {
            let distribution = StudentT(degreesOfFreedom: degreesOfFreedom)
            pValue = distribution.twoSidedPValue(difference / standardError)
            let half = distribution.quantile(1 - alpha / 2) * standardError
            interval = (difference - half)...(difference + half)
        } else {
            pValue = 1
            interval = difference...difference
        }
        if control.mean != 0 {
            let ratio = treatment.mean / control.mean
            relative = ratio - 1
            // Delta method for the ratio of independent means.
            let ratioVariance = vt / (control.mean * control.mean) + treatment.mean * treatment.mean * vc / pow(control.mean, 4)
            let half = Normal.quantile(1 - alpha / 2) * ratioVariance.squareRoot()
            relativeInterval = (ratio - 1 - half)...(ratio - 1 + half)
        } else {
            relative = nil
            relativeInterval = nil
        }
    }
}
