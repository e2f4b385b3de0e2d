import Foundation

/// A two-sided group-sequential test with Lan–DeMets alpha spending over planned looks.
///
/// The error rate α is spent across looks by a spending function of the information fraction
/// t = n / N (N the planned total): the chance of a false rejection at or before t is α(t).
/// Boundaries follow from the exact joint distribution of the z-statistics at the looks
/// (Brownian motion in information time), computed by the recursive numerical integration of
/// Armitage, McPherson & Rowe (1969) as in Jennison & Turnbull, *Group Sequential Methods*
/// (2000), ch. 7 and 19.
///
/// Decisions made only at the planned looks keep the false-rejection rate at α however many
/// looks there are; unlike a confidence sequence, nothing is spent on looks that never happen.
public struct GroupSequentialDesign: Sendable, Equatable {
    /// How α is spent over information time.
    public enum Spending: Sendable, Equatable {
        /// α·t^ρ (Kim & DeMets 1987); ρ = 2 is Spotify's choice, ρ = 3 is close to O'Brien–Fleming.
        case power(Double)
        /// 4 − 4Φ(z_{1−α/4} / √t): O'Brien–Fleming-like, α/2 per side (Lan & DeMets 1983).
        case obrienFleming
        /// α·log(1 + (e − 1)t): Pocock-like.
        case pocock

        func spent(_ t: Double, alpha: Double) -> Double {
            let t = min(max(t, 0), 1)
            switch self {
            case .power(let rho): return alpha * pow(t, rho)
            case .obrienFleming: return t <= 0 ? 0 : 4 - 4 * Normal.cdf(Normal.quantile(1 - alpha / 4) / t.squareRoot())
            case .pocock: return alpha * log(1 + (M_E - 1) * t)
            }
        }
    }

    /// Information fractions of the looks, increasing, the last at most 1.
    public let fractions: [Double]
    /// The two-sided error rate.
    public let alpha: Double
    public let spending: Spending
    /// Critical |z| at each look.
    public let boundaries: [Double]
    /// The null density of the score on the continuation region of the next-to-last look, for p-values.
    private let lastLook: LastLook

    /// What the stage-wise p-value at the last look needs.
    struct LastLook: Sendable, Equatable {
        var grid: [Double] = []
        var density: [Double] = []
        var weights: [Double] = []
        /// α spent before the last look.
        var spentBefore = 0.0
        /// Standard deviation of the score's step into the last look.
        var step = 1.0
        /// Information fraction of the last look.
        var t = 1.0

        /// P(no crossing before, |Z_last| ≥ c) under the null.
        func exit(_ c: Double) -> Double {
            let edge = c * t.squareRoot()
            if grid.isEmpty { return 2 * Normal.survival(c) }
            var total = 0.0
            for (u, (f, w)) in zip(grid, zip(density, weights)) {
                total += w * f * (Normal.survival((edge - u) / step) + Normal.cdf((-edge - u) / step))
            }
            return total
        }
    }

    /// Points per unit of standard deviation in the integration grid.
    static let gridDensity = 24  // grid points per 3 standard deviations of the next step

    /// - Parameters:
    ///   - fractions: Information fractions of the looks so far (and possibly later ones), increasing in (0, 1].
    ///   - alpha: Two-sided error rate.
    ///   - spending: The spending function.
    public init(fractions: [Double], alpha: Double, spending: Spending = .power(2)) {
        precondition(!fractions.isEmpty && zip(fractions, fractions.dropFirst()).allSatisfy { $0 < $1 })
        self.fractions = fractions
        self.alpha = alpha
        self.spending = spending
        (boundaries, lastLook) = Self.computeBoundaries(fractions: fractions, alpha: alpha, spending: spending)
    }

    /// Builds the looks from planned totals: `looks` (totals at earlier looks), the current total and the horizon.
    public init(horizon: Int, earlierLooks: [Int], current: Int, alpha: Double, spending: Spending = .power(2)) {
        var fractions = earlierLooks.filter { $0 > 0 && $0 < current }.map { min(1, Double($0) / Double(horizon)) }
        fractions.append(min(1, Double(max(current, 1)) / Double(horizon)))
        var increasing: [Double] = []
        for fraction in fractions where fraction > (increasing.last ?? 0) { increasing.append(fraction) }
        self.init(fractions: increasing, alpha: alpha, spending: spending)
    }

    /// The repeated p-value at the last look: the smallest α at which a design with the same looks
    /// and spending function would reject there (Jennison & Turnbull §9.1), so p ≤ α exactly when
    /// |z| reaches this design's last boundary, at interim looks too.
    ///
    /// - Complexity: a bisection on α (to 0.1% relative), each step a boundary computation.
    public func pValue(z: Double) -> Double {
        let target = abs(z)
        // Where the answer is plain, skip the search: below the boundary at α = 1 or beyond the one at 1e-12.
        if target >= Self.computeBoundaries(fractions: fractions, alpha: 1e-12, spending: spending).0.last! { return 1e-12 }
        var low = 1e-12
        var high = 1.0
        while high / low > 1.001 {
            let middle = (low * high).squareRoot()  // bisection on the log scale
            if target >= Self.computeBoundaries(fractions: fractions, alpha: middle, spending: spending).0.last! {
                high = middle
            } else {
                low = middle
            }
        }
        return high
    }

    /// The stage-wise ordering p-value at the last look (Jennison & Turnbull §8.4): α spent before it
    /// plus P(no earlier crossing, |Z_last| ≥ |z|) under the null; one pass, for ranking outcomes.
    public func stagewisePValue(z: Double) -> Double {
        min(1, lastLook.spentBefore + lastLook.exit(abs(z)))
    }

    /// Computes |z| boundaries look by look so that the probability of first crossing at look k
    /// under the null equals the α spent between looks k − 1 and k.
    static func computeBoundaries(fractions: [Double], alpha: Double, spending: Spending) -> ([Double], LastLook) {
        var boundaries: [Double] = []
        var last = LastLook()
        // Density of the score S = Z·√t on the continuation region of the previous look.
        var grid: [Double] = []
        var density: [Double] = []
        var weights: [Double] = []
        var previousT = 0.0
        var previousSpent = 0.0
        for (index, t) in fractions.enumerated() {
            let spent = spending.spent(t, alpha: alpha)
            let increment = max(spent - previousSpent, 1e-300)
            let dt = t - previousT
            let sdStep = dt.squareRoot()
            if index == fractions.count - 1 && index > 0 {
                last = LastLook(grid: grid, density: density, weights: weights, spentBefore: previousSpent, step: sdStep, t: t)
            }
            let boundary: Double
            if index == 0 {
                boundary = Normal.quantile(1 - increment / 2)
            } else {
                // Exit probability for a candidate boundary c, then solve for c by bisection.
                func exit(_ c: Double) -> Double {
                    let edge = c * t.squareRoot()
                    var total = 0.0
                    for (u, (f, w)) in zip(grid, zip(density, weights)) {
                        total += w * f * (Normal.survival((edge - u) / sdStep) + Normal.cdf((-edge - u) / sdStep))
                    }
                    return total
                }
                var low = 0.0
                var high = 40.0
                for _ in 0..<80 {
                    let middle = (low + high) / 2
                    if exit(middle) > increment { low = middle } else { high = middle }
                }
                boundary = high
            }
            boundaries.append(boundary)
            // Propagate the density to this look's continuation region |S| < boundary·√t, on a grid fine
            // enough for the next look's transition kernel (standard deviation √(t_next − t)).
            guard index + 1 < fractions.count else { break }
            let edge = boundary * t.squareRoot()
            let nextStep = (fractions[index + 1] - t).squareRoot()
            let spacing = min(nextStep, sdStep) / Double(gridDensity) * 3
            let points = max(41, Int(2 * edge / spacing) | 1)
            let step = 2 * edge / Double(points - 1)
            let newGrid = (0..<points).map { -edge + Double($0) * step }
            let newWeights = (0..<points).map { index -> Double in
                (index == 0 || index == points - 1 ? 1 : (index % 2 == 1 ? 4 : 2)) * step / 3
            }
            let newDensity: [Double]
            if index == 0 {
                newDensity = newGrid.map { exp(-$0 * $0 / (2 * t)) / (2 * Double.pi * t).squareRoot() }
            } else {
                newDensity = newGrid.map { s in
                    var total = 0.0
                    for (u, (f, w)) in zip(grid, zip(density, weights)) {
                        let z = (s - u) / sdStep
                        total += w * f * exp(-z * z / 2)
                    }
                    return total / (sdStep * (2 * Double.pi).squareRoot())
                }
            }
            grid = newGrid
            density = newDensity
            weights = newWeights
            previousT = t
            previousSpent = spent
        }
        return (boundaries, last)
    }
}
