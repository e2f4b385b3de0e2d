import Foundation

/// A two-sided group-sequential test with Lan–DeMets alpha spending over planned looks.
///
/// The error rate α is spent across looks by a spending function of the information fraction
/// t = n / N (N the planned total): the chance of a false rejection at or before t is α(t).
/// Boundaries follow from the exact joint distribution of the z-statistics at the looks
/// (Brownian motion in information time), computed by the recursive numerical integration of
/// Armitage, McPherson & Rowe (1969) as in Jennison & Turnbull, *Group Sequential Methods*
/// (2000), ch. 7 and 19 (``BoundaryRecursion``), and kept per design (``BoundaryCache``).
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
            case .obrienFleming: return t <= 0 ? 0 : 4 * Normal.survival(-Normal.quantile(alpha / 4) / t.squareRoot())
            case .pocock: return alpha * log(1 + (M_E - 1) * t)
            }
        }
    }

    /// Information fractions of the looks up to the final analysis, increasing; the last past 1 when the traffic
    /// overran the plan (α spent by then is all of it).
    public let fractions: [Double]
    /// The two-sided error rate.
    public let alpha: Double
    public let spending: Spending
    /// Critical |z| at each look.
    public let boundaries: [Double]
    /// The information fraction of the current look when it comes after the final analysis (the test ended
    /// there and spends nothing more); nil while the test runs or at the final analysis itself.
    public let afterFinal: Double?
    /// The null density of the score on the continuation region of the next-to-last look, for p-values.
    private let lastLook: BoundaryRecursion.LastLook

    /// Lattice points per standard deviation of a step for the repeated p-value's search: boundaries within 4e-5,
    /// a p-value within 1e-4 relative, well inside the search's 0.1%. The probe at the design's own α uses the
    /// design's boundaries, so p ≤ α exactly when the boundary is crossed.
    static let searchResolution = 3.0

    /// - Parameters:
    ///   - fractions: Information fractions of the looks so far (and possibly later ones), increasing and positive.
    ///     The first at or past 1 is the final analysis (it spends what α is left); any after it comes after the
    ///     test ended: it is kept as ``afterFinal`` and gets no boundary, since nothing is left to spend.
    ///   - alpha: Two-sided error rate.
    ///   - spending: The spending function.
    public init(fractions: [Double], alpha: Double, spending: Spending = .power(2)) {
        precondition(!fractions.isEmpty && fractions[0] > 0 && zip(fractions, fractions.dropFirst()).allSatisfy { $0 < $1 })
        var looks = fractions
        if let final = fractions.firstIndex(where: { $0 >= 1 }), final < fractions.count - 1 {
            afterFinal = fractions.last!
            looks = Array(fractions[...final])
        } else {
            afterFinal = nil
        }
        self.fractions = looks
        self.alpha = alpha
        self.spending = spending
        (boundaries, lastLook) = Self.cachedBoundaries(fractions: looks, alpha: alpha, spending: spending)
    }

    /// Builds the looks from planned totals: `looks` (totals at earlier looks), the current total and the horizon.
    ///
    /// The first look at or past the horizon is the final analysis: its spending time is capped at 1, so it spends
    /// what α is left (as gsDesign does for an overrunning final analysis), while its information time stays the
    /// true total over the horizon, so the looks' correlations are right. A look after it (the traffic kept
    /// coming and the analysis kept running) spends nothing: the test ended at the final analysis, and a new
    /// final analysis every day would spend the rest of α again and again.
    public init(horizon: Int, earlierLooks: [Int], current: Int, alpha: Double, spending: Spending = .power(2)) {
        let current = max(current, 1)
        var fractions: [Double] = []
        for look in earlierLooks + [current] where look > 0 && look <= current {
            let fraction = Double(look) / Double(horizon)
            if fraction > (fractions.last ?? 0) { fractions.append(fraction) }
        }
        self.init(fractions: fractions, alpha: alpha, spending: spending)
    }

    /// Whether the last look is the final analysis: the first at or past the planned total, spending what α is left.
    public var isFinal: Bool { afterFinal == nil && fractions.last! >= 1 }

    /// Whether the current look comes after the final analysis: the test has ended, nothing can be rejected now.
    public var hasEnded: Bool { afterFinal != nil }

    /// The repeated p-value at the last look: the smallest α at which a design with the same looks
    /// and spending function would reject there (Jennison & Turnbull §9.1), so p < α exactly when
    /// |z| reaches this design's last boundary, at interim looks too.
    ///
    /// - Complexity: a bracketed secant search (to 0.1% relative in α), each step a boundary computation on a
    ///   coarse lattice (a tenth of the design's cost; kept in ``BoundaryCache``); 2 to 4 steps.
    public func pValue(z: Double) -> Double {
        let target = abs(z)
        let floor = log(1e-12)
        let tolerance = log(1.001)
        // g(x) = last boundary at α = e^x − |z|, decreasing in x: the answer is where it crosses 0.
        func g(_ x: Double) -> Double {
            Self.cachedBoundaries(fractions: fractions, alpha: exp(x), spending: spending, resolution: Self.searchResolution).0.last!
                - target
        }
        // The bracket (low, high]: no rejection at low, rejection at high (α = 1 caps the answer).
        var low: (x: Double, g: Double?) = (floor, nil)
        var high: (x: Double, g: Double?) = (0, nil)
        var probe = (x: log(alpha), g: boundaries.last! - target)
        // Decisions take p < α: on the side of the probe at α (this design's own boundary), so a crossing answers
        // below α and no crossing above it, whatever the rounding.
        let crossed = probe.g <= 0
        func answer(_ x: Double) -> Double {
            crossed ? min(exp(x), alpha.nextDown) : max(exp(x), alpha.nextUp)
        }
        var previous: (x: Double, g: Double)?
        for _ in 0..<60 {
            if probe.g <= 0 { high = probe } else { low = probe }
            if high.x - low.x <= tolerance { break }
            // Steps are taken in y = Q⁻¹(α/2), the critical |z| of a single look at α, in which the last boundary is
            // close to a straight line of slope 1: a secant step through the last two probes, else a step of slope 1
            // from the probe; kept inside the bracket, a bisection when it is not.
            let yNext: Double
            if let before = previous, before.g != probe.g {
                let (yBefore, yProbe) = (Self.singleLookZ(before.x), Self.singleLookZ(probe.x))
                yNext = yProbe - probe.g * (yProbe - yBefore) / (probe.g - before.g)
                // A secant through a probe this close to its root is within the tolerance already.
                let root = log(2 * Normal.survival(yNext))
                if abs(root - probe.x) <= tolerance / 4, root > low.x, root <= high.x { return answer(root) }
            } else {
                yNext = Self.singleLookZ(probe.x) - probe.g
            }
            if yNext <= 0 && high.g == nil {
                // Past α = 1: whether even that rejects settles it.
                previous = probe
                probe = (0, g(0))
                continue
            }
            var next = log(2 * Normal.survival(yNext))
            // Straddle: once the step is within the tolerance of a known end, probe just past the root so the
            // bracket closes from both sides.
            if let gHigh = high.g, gHigh <= 0, next > high.x - tolerance / 2 { next = high.x - tolerance / 2 }
            if let gLow = low.g, gLow > 0, next < low.x + tolerance / 2 { next = low.x + tolerance / 2 }
            if !(next > low.x && next < high.x) || !next.isFinite { next = (low.x + high.x) / 2 }
            if low.g == nil && next <= floor + tolerance {
                // Beyond the boundary at α = 1e-12: the answer is plain.
                let atFloor = g(floor)
                if atFloor <= 0 { return 1e-12 }
                previous = probe
                probe = (floor, atFloor)
                continue
            }
            previous = probe
            probe = (next, g(next))
        }
        guard high.g != nil else { return 1 }
        return answer(high.x)
    }

    /// Q⁻¹(α/2) for α = eˣ: the critical |z| of a single look.
    static func singleLookZ(_ x: Double) -> Double {
        -Normal.quantile(exp(x) / 2)
    }

    /// The stage-wise ordering p-value at the last look (Jennison & Turnbull §8.4): α spent before it
    /// plus P(no earlier crossing, |Z_last| ≥ |z|) under the null; one pass, for ranking outcomes.
    public func stagewisePValue(z: Double) -> Double {
        min(1, lastLook.spentBefore + lastLook.exit(abs(z)))
    }
}
