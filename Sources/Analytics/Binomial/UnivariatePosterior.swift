import Foundation

/// A posterior over one arm's metric that P(best) and expected loss can integrate over.
public protocol UnivariatePosterior: Sendable {
    var mean: Double { get }
    func density(_ x: Double) -> Double
    func cdf(_ x: Double) -> Double
    func quantile(_ p: Double) -> Double
}

extension BetaDistribution: UnivariatePosterior {}

/// The normal distribution N(mean, sd²): the posterior of a mean under a flat prior.
public struct NormalDistribution: UnivariatePosterior, Equatable {
    public let mean: Double
    public let standardDeviation: Double

    public init(mean: Double, standardDeviation: Double) {
        self.mean = mean
        // A degenerate arm (no spread) is a point mass; a tiny spread keeps the integrals defined.
        self.standardDeviation = max(standardDeviation, 1e-12 * max(1, abs(mean)))
    }

    public func density(_ x: Double) -> Double {
        let z = (x - mean) / standardDeviation
        return exp(-z * z / 2) / (standardDeviation * (2 * Double.pi).squareRoot())
    }

    public func cdf(_ x: Double) -> Double { Normal.cdf((x - mean) / standardDeviation) }

    public func quantile(_ p: Double) -> Double { mean + standardDeviation * Normal.quantile(p) }
}
