import Foundation

/// Which content features go with higher engagement: a binomial logistic regression of successes
/// out of trials per variant on the variants' features, fitted by iteratively reweighted least
/// squares (McCullagh & Nelder, *Generalized Linear Models*, §4.4), with Wald standard errors.
public struct FeatureEffects: Sendable, Equatable {
    /// One feature's estimated effect on the log-odds of success.
    public struct Effect: Sendable, Equatable, Codable {
        public var feature: String
        public var coefficient: Double
        public var standardError: Double
        public var interval: [Double]
        /// exp(coefficient): the multiplicative change in the odds.
        public var oddsRatio: Double
        /// Whether the interval excludes zero: only then is the effect claimed.
        public var significant: Bool

        enum CodingKeys: String, CodingKey {
            case feature, coefficient, interval, significant
            case standardError = "standard_error"
            case oddsRatio = "odds_ratio"
        }
    }

    /// The intercept (log-odds at all features zero).
    public let intercept: Double
    /// Effects in the order of `features`.
    public let effects: [Effect]
    /// IRLS iterations used.
    public let iterations: Int

    /// An error when the design cannot be fitted (too few variants, or features that do not vary).
    public struct FitError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// - Parameters:
    ///   - features: Names of the columns of `values`.
    ///   - values: One row per variant: its feature values.
    ///   - trials: Impressions per variant.
    ///   - successes: Successes per variant.
    ///   - alpha: 1 − interval coverage.
    public init(features: [String], values: [[Double]], trials: [Int], successes: [Int], alpha: Double = 0.05) throws {
        let rows = values.count
        let columns = features.count + 1
        guard rows == trials.count, rows == successes.count, values.allSatisfy({ $0.count == features.count }) else {
            throw FitError(description: "every variant needs one value per feature, trials and successes")
        }
        guard rows > columns else {
            throw FitError(description: "\(rows) variants cannot estimate \(features.count) feature effects; need more variants than features + 1")
        }
        let design = values.map { [1.0] + $0 }
        var beta = [Double](repeating: 0, count: columns)
        let overall = Double(successes.reduce(0, +)) / Double(max(trials.reduce(0, +), 1))
        beta[0] = log(max(overall, 1e-9) / max(1 - overall, 1e-9))
        var iterations = 0
        var covariance: [[Double]] = []
        for iteration in 1...100 {
            iterations = iteration
            var information = [[Double]](repeating: [Double](repeating: 0, count: columns), count: columns)
            var score = [Double](repeating: 0, count: columns)
            for row in 0..<rows {
                let eta = zip(design[row], beta).map(*).reduce(0, +)
                let p = 1 / (1 + exp(-eta))
                let n = Double(trials[row])
                let weight = n * p * (1 - p)
                let residual = Double(successes[row]) - n * p
                for i in 0..<columns {
                    score[i] += design[row][i] * residual
                    for j in 0..<columns { information[i][j] += design[row][i] * weight * design[row][j] }
                }
            }
            guard let inverse = Self.invert(information) else {
                throw FitError(description: "the features are collinear or do not vary across variants; drop or combine some")
            }
            covariance = inverse
            let step = (0..<columns).map { i in (0..<columns).map { inverse[i][$0] * score[$0] }.reduce(0, +) }
            beta = zip(beta, step).map(+)
            if step.map(abs).max() ?? 0 < 1e-10 { break }
        }
        let z = Normal.quantile(1 - alpha / 2)
        intercept = beta[0]
        effects = features.enumerated().map { index, name in
            let coefficient = beta[index + 1]
            let standardError = max(covariance[index + 1][index + 1], 0).squareRoot()
            let interval = [coefficient - z * standardError, coefficient + z * standardError]
            return Effect(
                feature: name,
                coefficient: coefficient,
                standardError: standardError,
                interval: interval,
                oddsRatio: exp(coefficient),
                significant: interval[0] > 0 || interval[1] < 0
            )
        }
        self.iterations = iterations
    }

    /// Gauss–Jordan inversion with partial pivoting; nil when singular.
    static func invert(_ matrix: [[Double]]) -> [[Double]]? {
        let size = matrix.count
        var a = matrix
        var inverse = (0..<size).map { i in (0..<size).map { $0 == i ? 1.0 : 0.0 } }
        let scale = matrix.flatMap { $0 }.map(abs).max() ?? 1
        for column in 0..<size {
            guard let pivot = (column..<size).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }),
                abs(a[pivot][column]) > 1e-12 * max(scale, 1e-300)
            else { return nil }
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let divisor = a[column][column]
            for j in 0..<size {
                a[column][j] /= divisor
                inverse[column][j] /= divisor
            }
            for row in 0..<size where row != column {
                let factor = a[row][column]
                if factor == 0 { continue }
                for j in 0..<size {
                    a[row][j] -= factor * a[column][j]
                    inverse[row][j] -= factor * inverse[column][j]
                }
            }
        }
        return inverse
    }
}
