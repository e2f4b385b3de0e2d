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
    public enum Spending: Sendable, Hashable {
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

    /// Information fractions of the looks, increasing; past 1 when the traffic overran the plan (α spent by then is all of it).
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
        (boundaries, lastLook) = Self.cachedBoundaries(fractions: fractions, alpha: alpha, spending: spending)
    }

    /// Builds the looks from planned totals: `looks` (totals at earlier looks), the current total and the horizon.
    ///
    /// A current total at or past the horizon makes this look the final analysis: its spending time is capped
    /// at 1, so it spends what α is left (as gsDesign does for an overrunning final analysis), while its
    /// information time stays the true total over the horizon, so the looks' correlations are right. Earlier
    /// looks past the horizon are left out: the latest look is the final analysis and replaces them.
    public init(horizon: Int, earlierLooks: [Int], current: Int, alpha: Double, spending: Spending = .power(2)) {
        let current = max(current, 1)
        var fractions = earlierLooks.filter { $0 > 0 && $0 < current && $0 < horizon }.map { Double($0) / Double(horizon) }
        fractions.append(Double(current) / Double(horizon))
        var increasing: [Double] = []
        for fraction in fractions where fraction > (increasing.last ?? 0) { increasing.append(fraction) }
        self.init(fractions: increasing, alpha: alpha, spending: spending)
    }

    /// Whether the last look is at or past the planned total: the final analysis, spending what α is left.
    public var isFinal: Bool { fractions.last! >= 1 }

    /// The repeated p-value at the last look: the smallest α at which a design with the same looks
    /// and spending function would reject there (Jennison & Turnbull §9.1), so p ≤ α exactly when
    /// |z| reaches this design's last boundary, at interim looks too.
    ///
    /// - Complexity: a bracketed secant search on log α (to 0.1% relative), each step a boundary
    ///   computation (kept in ``BoundaryCache``); a handful of steps where a bisection took fifteen.
    public func pValue(z: Double) -> Double {
        let target = abs(z)
        let floor = log(1e-12)
        let tolerance = log(1.001)
        // g(x) = last boundary at α = e^x − |z|, decreasing in x: the answer is where it crosses 0.
        func g(_ x: Double) -> Double {
            Self.cachedBoundaries(fractions: fractions, alpha: exp(x), spending: spending).0.last! - target
        }
        // The bracket (low, high]: no rejection at low, rejection at high (α = 1 caps the answer).
        var low: (x: Double, g: Double?) = (floor, nil)
        var high: (x: Double, g: Double?) = (0, nil)
        var probe = (x: log(alpha), g: boundaries.last! - target)
        for _ in 0..<60 {
            if probe.g <= 0 { high = probe } else { low = probe }
            if high.x - low.x <= tolerance { break }
            // A secant step between the bracket's ends when both are known, else a step along the slope the
            // normal tail gives (d c / d log α ≈ −Q(c)/φ(c)); kept inside the bracket, a bisection when it is not.
            var next: Double
            if let gLow = low.g, let gHigh = high.g {
                next = low.x + gLow * (high.x - low.x) / (gLow - gHigh)
            } else {
                let c = probe.g + target
                let slope = -Normal.survival(c) / max(exp(-c * c / 2) / (2 * Double.pi).squareRoot(), 1e-300)
                next = probe.x - probe.g / slope
            }
            // Straddle: once the step is within the tolerance of a known end, probe just past the root so the
            // bracket closes from both sides.
            if let gHigh = high.g, gHigh <= 0, next > high.x - tolerance / 2 { next = high.x - tolerance / 2 }
            if let gLow = low.g, gLow > 0, next < low.x + tolerance / 2 { next = low.x + tolerance / 2 }
            if !(next > low.x && next < high.x) || !next.isFinite { next = (low.x + high.x) / 2 }
            if low.g == nil && next <= floor + tolerance {
                // Beyond the boundary at α = 1e-12: the answer is plain.
                let atFloor = g(floor)
                if atFloor <= 0 { return 1e-12 }
                probe = (floor, atFloor)
                continue
            }
            probe = (next, g(next))
        }
        return high.g == nil ? 1 : exp(high.x)
    }

    /// The stage-wise ordering p-value at the last look (Jennison & Turnbull §8.4): α spent before it
    /// plus P(no earlier crossing, |Z_last| ≥ |z|) under the null; one pass, for ranking outcomes.
    public func stagewisePValue(z: Double) -> Double {
        min(1, lastLook.spentBefore + lastLook.exit(abs(z)))
    }

    /// Computes |z| boundaries look by look so that the probability of first crossing at look k
    /// under the null equals the α spent between looks k − 1 and k.
    ///
    /// Each look's boundary solves its exit equation by Newton steps kept inside a bisection bracket, and the
    /// density is carried to the next look through the Gaussian kernel only where it is above 1e-30 of its peak
    /// (12 standard deviations), its values along a row found by a two-multiply recurrence instead of `exp`.
    ///
    /// - Complexity: O(K·P·B) for K looks, P grid points per look and B points within 12 step deviations.
    static func computeBoundaries(fractions: [Double], alpha: Double, spending: Spending) -> ([Double], LastLook) {
        var boundaries: [Double] = []
        var last = LastLook()
        // Density of the score S = Z·√t on the continuation region of the previous look, times its Simpson weights.
        var grid: [Double] = []
        var mass: [Double] = []
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
                boundary = solveExit(grid: grid, mass: mass, t: t, sdStep: sdStep, increment: increment)
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
                newDensity = convolve(grid: grid, mass: mass, onto: newGrid, sd: sdStep)
            }
            grid = newGrid
            density = newDensity
            weights = newWeights
            mass = zip(newDensity, newWeights).map { $0 * $1 }
            previousT = t
            previousSpent = spent
        }
        return (boundaries, last)
    }

    /// Kernel terms beyond this many standard deviations (below e^−72 of the peak) are left out.
    static let kernelReach = 12.0

    /// ∑ mass(u)·φ((s − u)/sd)/sd at each s, over the (uniform, increasing) `grid`.
    static func convolve(grid: [Double], mass: [Double], onto targets: [Double], sd: Double) -> [Double] {
        let count = grid.count
        guard count > 1 else { return targets.map { _ in 0 } }
        let origin = grid[0]
        let spacing = grid[1] - grid[0]
        let delta = spacing / sd
        let decay = exp(-delta * delta)
        let reach = kernelReach * sd
        let norm = 1 / (sd * (2 * Double.pi).squareRoot())
        return mass.withUnsafeBufferPointer { mass in
            targets.map { s in
                let first = max(0, Int(((s - reach - origin) / spacing).rounded(.up)))
                let end = min(count - 1, Int(((s + reach - origin) / spacing).rounded(.down)))
                guard first <= end else { return 0 }
                // exp(−d²/2) along d_i = (s − u_i)/sd, d falling by delta per point: each term is the previous
                // times a ratio that itself shrinks by exp(−delta²).
                let d = (s - (origin + Double(first) * spacing)) / sd
                var term = exp(-d * d / 2)
                var ratio = exp(d * delta - delta * delta / 2)
                var total = 0.0
                for i in first...end {
                    total += mass[i] * term
                    term *= ratio
                    ratio *= decay
                }
                return total * norm
            }
        }
    }

    /// The boundary c at which P(no earlier crossing, |S_t| ≥ c·√t) equals `increment`.
    static func solveExit(grid: [Double], mass: [Double], t: Double, sdStep: Double, increment: Double) -> Double {
        let root = t.squareRoot()
        let reach = kernelReach * sdStep
        // The exit probability and its derivative in c, over the grid points within reach of either edge.
        func exit(_ c: Double) -> (value: Double, slope: Double) {
            let edge = c * root
            var total = 0.0
            var slope = 0.0
            for (u, m) in zip(grid, mass) where abs(abs(u) - edge) < reach || abs(u) > edge {
                let upper = (edge - u) / sdStep
                let lower = (-edge - u) / sdStep
                total += m * (Normal.survival(upper) + Normal.cdf(lower))
                slope -= m * (exp(-upper * upper / 2) + exp(-lower * lower / 2))
            }
            return (total, slope * root / (sdStep * (2 * Double.pi).squareRoot()))
        }
        var low = 0.0
        var high = 40.0
        var c = Normal.quantile(1 - increment / 2)
        for _ in 0..<200 {
            let (value, slope) = exit(c)
            if value > increment { low = c } else { high = c }
            // Newton in log(exit), which is close to linear in c², kept inside the bracket.
            var next = slope < 0 && value > 0 ? c - (log(value) - log(increment)) * value / slope : (low + high) / 2
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - c) <= 1e-13 * max(1, c) || high - low <= 1e-13 { return min(max(next, low), high) }
            c = next
        }
        return high
    }
}
