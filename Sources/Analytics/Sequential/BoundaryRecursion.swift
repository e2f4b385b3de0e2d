import Foundation

/// The recursive numerical integration behind ``GroupSequentialDesign``'s boundaries (Armitage, McPherson & Rowe 1969;
/// Jennison & Turnbull 2000, ch. 19), on lattices that make the transition kernel a table.
///
/// The null density of the score S = Z·√t on each look's continuation region |S| < c·√t is kept at the points j·h of a
/// lattice inside it and at its edges ±c·√t. Integrals over the region use, cell by cell, the polynomial through the
/// nearest points (the partial cell at each edge included, with the edge as a point): the trapezoid rule inside, with
/// corrections at the edges from the quintic through the six nearest points. Spacings are H·2ᵃ, at most an eighth of the
/// standard deviations of the steps into and out of the look (H the finest any look needs), so the lattices of two
/// looks nest, the Gaussian kernel between them depends only on the index offset, and a transition is a table of
/// kernel values (one `exp` per entry) and multiply-adds. The null density is symmetric: only the points j ≥ 0 are kept.
///
/// Checked against the previous implementation (Tests/AnalyticsTests/GroupSequentialRegressionTests), SciPy's
/// multivariate normal and an independent fine-grid recursion for 1,000 looks (Fixtures/make_group_sequential_many.py).
enum BoundaryRecursion {
    /// Tail probabilities beyond this many standard deviations (below 1e-17) are left out of the crossing sums.
    static let reach = 8.5
    /// Kernel terms beyond this many standard deviations (below 3e-11 of the peak, in a density carried to 1e-8)
    /// are left out of the transitions.
    static let kernelReach = 7.0
    /// Below this much α at a look, its boundary is the single look's (a conservative |z| above 8).
    static let negligible = 1e-15

    /// The density at one look, times its quadrature weights.
    struct Look: Sendable, Equatable {
        /// Lattice spacing.
        var spacing: Double
        /// The edge of the continuation region, c·√t.
        var edge: Double
        /// Weighted density at the lattice points j·spacing, j = 0, 1, ... (the point 0 once; every other point stands for
        /// itself and its mirror).
        var mass: [Double]
        /// Weighted density at each edge.
        var edgeMass: Double
    }

    /// What the stage-wise p-value at the last look needs: the density at the look before and the step into the last.
    struct LastLook: Sendable, Equatable {
        var previous: Look?
        /// α spent before the last look.
        var spentBefore = 0.0
        /// Standard deviation of the score's step into the last look.
        var step = 1.0
        /// Information fraction of the last look.
        var t = 1.0

        /// P(no crossing before, |Z_last| ≥ c) under the null.
        func exit(_ c: Double) -> Double {
            guard let previous else { return 2 * Normal.survival(c) }
            return BoundaryRecursion.exit(previous, at: c * t.squareRoot(), sd: step).value
        }
    }

    /// Boundaries at each look such that the null probability of first crossing at look k is the α spent between
    /// looks k − 1 and k, and the state for the last look's stage-wise p-value.
    ///
    /// - Parameter resolution: points per standard deviation of the steps, at least: 8 for boundaries within 5e-8 of
    ///   the converged values (1.3e-8 with 10, at 1.5 times the cost); 3 (within 4e-5) for the searches of the
    ///   repeated p-value, which need less.
    /// - Complexity: O(K·P·B) for K looks, P lattice points per look (2.3·resolution/step) and B kernel points
    ///   (14·resolution), multiply-adds; O(K·resolution) special functions.
    static func boundaries(
        fractions: [Double],
        alpha: Double,
        spending: GroupSequentialDesign.Spending,
        resolution: Double = 8
    ) -> ([Double], LastLook) {
        var boundaries: [Double] = []
        boundaries.reserveCapacity(fractions.count)
        var look: Look?
        var last = LastLook()
        var previousSpent = 0.0
        let steps = fractions.indices.map { (fractions[$0] - ($0 == 0 ? 0 : fractions[$0 - 1])).squareRoot() }
        // Spacings H·2ᵃ, H the finest any look needs: the lattices nest, and equally spaced looks get exactly their need.
        let needs = fractions.indices.dropLast().map { min(steps[$0], steps[$0 + 1]) / resolution }
        let base = needs.min() ?? 1
        for (index, t) in fractions.enumerated() {
            let spent = spending.spent(t, alpha: alpha)
            let increment = max(spent - previousSpent, 1e-300)
            let step = steps[index]
            if index == fractions.count - 1 {
                last = LastLook(previous: look, spentBefore: previousSpent, step: step, t: t)
            }
            // Started from the boundaries' trend (within 1e-4 or so when looks are regular), else from the normal tail.
            let guess = index >= 2 ? 2 * boundaries[index - 1] - boundaries[index - 2] : -Normal.quantile(increment / 2)
            // Where next to nothing is spent (O'Brien–Fleming's first looks, α(t) below 1e-15 or underflowing), the
            // boundary is the one a single look would have, a little conservative: nothing is ever decided there.
            let boundary =
                increment < negligible
                ? -Normal.quantile(increment / 2)
                : look.map { solve($0, t: t, sd: step, increment: increment, guess: guess) } ?? -Normal.quantile(increment / 2)
            boundaries.append(boundary)
            guard index + 1 < fractions.count else { break }
            look = propagate(
                from: look,
                t: t,
                sd: step,
                edge: boundary * t.squareRoot(),
                // Fine enough for the region too: seven points at least inside it (a boundary near 0, in the repeated
                // p-value's search at α near 1).
                spacing: base * spacing(min(needs[index], boundary * t.squareRoot() / Double(stencil + 2)) / base)
            )
            previousSpent = spent
        }
        return (boundaries, last)
    }

    /// The largest power of 2 at most `limit`.
    static func spacing(_ limit: Double) -> Double {
        let exponent = Int(log2(limit).rounded(.down))
        return exponent < 0 ? 1 / Double(1 << min(-exponent, 62)) : Double(1 << min(exponent, 62))
    }

    /// Points of each cell's interpolating polynomial (degree 5: the rule is exact for quintics near the edges).
    static let stencil = 6
    /// Gauss–Legendre nodes and weights on [−1, 1], 3 points (exact to degree 5).
    static let gauss: [(Double, Double)] = [(-(0.6).squareRoot(), 5.0 / 9), (0, 8.0 / 9), ((0.6).squareRoot(), 5.0 / 9)]
    /// Weights of interior cells [u_j, u_{j+1}] on the points u_{j−2} ... u_{j+3}, in units of h.
    static let interior: [Double] = [11, -93, 802, 802, -93, 11].map { $0 / 1440 }

    /// Adds ∫ₐᵇ p to `weights`, p the polynomial through `nodes` (indices into the lattice, or nil for the edge).
    static func addCell(
        _ nodes: [Int?],
        from a: Double,
        to b: Double,
        spacing h: Double,
        edge: Double,
        into weights: inout [Double],
        edgeWeight: inout Double
    ) {
        let x = nodes.map { $0.map { Double($0) * h } ?? edge }
        for (g, gw) in gauss {
            let p = (a + b) / 2 + g * (b - a) / 2
            for i in x.indices {
                var l = gw * (b - a) / 2
                for k in x.indices where k != i { l *= (p - x[k]) / (x[i] - x[k]) }
                if let node = nodes[i] { weights[abs(node)] += l } else { edgeWeight += l }
            }
        }
    }

    /// Quadrature weights over [−edge, edge] for the points j·spacing, j = 0...last (mirrored), and the edges.
    static func weights(spacing h: Double, edge: Double) -> (points: [Double], edge: Double) {
        // The last lattice point strictly inside, at least h/4 from the edge (a thinner partial cell joins the one before).
        var last = Int((edge / h).rounded(.down))
        if Double(last) * h >= edge { last -= 1 }
        if edge - Double(last) * h < h / 4 { last -= 1 }
        precondition(last >= stencil, "lattice too coarse for the continuation region")
        // Inside, the rule gives each point h (the trapezoid rule); the points near the edge differ.
        var weights = [Double](repeating: h, count: last + 1)
        let from = last - stencil
        for j in from...last { weights[j] = 0 }
        var edgeWeight = 0.0
        let half = stencil / 2
        // Standard cells [u_j, u_{j+1}] (stencil u_{j−2} ... u_{j+3} inside) that reach the points from `from` on.
        for j in (from - half)...(last - half) {
            for (offset, w) in interior.enumerated() where j - half + 1 + offset >= from {
                weights[j - half + 1 + offset] += w * h
            }
        }
        // The cells after them, to the edge, through the last points and the edge.
        let nodes: [Int?] = ((last - stencil + 2)...last).map { $0 } + [nil]
        for j in (last - half + 1)...last {
            addCell(
                nodes,
                from: Double(j) * h,
                to: j == last ? edge : Double(j + 1) * h,
                spacing: h,
                edge: edge,
                into: &weights,
                edgeWeight: &edgeWeight
            )
        }
        return (weights, edgeWeight)
    }

    /// The weighted density on the continuation region |S| < edge of the look at t, from the look before (or the
    /// normal density at the first look).
    static func propagate(from previous: Look?, t: Double, sd: Double, edge: Double, spacing h: Double) -> Look {
        let (weights, edgeWeight) = self.weights(spacing: h, edge: edge)
        let count = weights.count
        var density = [Double](repeating: 0, count: count)
        var edgeDensity: Double
        if let previous {
            edgeDensity = convolve(previous, onto: &density, spacing: h, edge: edge, sd: sd)
        } else {
            let norm = 1 / (2 * Double.pi * t).squareRoot()
            for j in 0..<count {
                let s = Double(j) * h
                density[j] = exp(-s * s / (2 * t)) * norm
            }
            edgeDensity = exp(-edge * edge / (2 * t)) * norm
        }
        for j in 0..<count { density[j] *= weights[j] }
        return Look(spacing: h, edge: edge, mass: density, edgeMass: edgeDensity * edgeWeight)
    }

    /// ∫ f(u) φ((s − u)/sd)/sd du at the lattice points s = i·spacing (into `density`) and at s = edge (returned).
    static func convolve(_ previous: Look, onto density: inout [Double], spacing h: Double, edge: Double, sd: Double) -> Double {
        let fine = min(h, previous.spacing)
        let strideOut = Int((h / fine).rounded())
        let strideIn = Int((previous.spacing / fine).rounded())
        let width = Int((kernelReach * sd / fine).rounded(.up))
        let norm = 1 / (sd * (2 * Double.pi).squareRoot())
        // The kernel at offsets −width...width (in units of `fine`), and the previous masses on both sides.
        var kernel = [Double](repeating: 0, count: 2 * width + 1)
        for d in 0...width {
            let x = Double(d) * fine / sd
            let value = exp(-x * x / 2) * norm
            kernel[width + d] = value
            kernel[width - d] = value
        }
        let half = previous.mass.count - 1
        var masses = [Double](repeating: 0, count: 2 * half + 1)
        for j in 0...half {
            masses[half + j] = previous.mass[j]
            masses[half - j] = previous.mass[j]
        }
        kernel.withUnsafeBufferPointer { kernel in
            masses.withUnsafeBufferPointer { masses in
                density.withUnsafeMutableBufferPointer { density in
                    for i in density.indices {
                        // s − u = (i·strideOut − (j − half)·strideIn)·fine; kernel index width + that offset... reversed.
                        let center = i * strideOut
                        let low = max(0, (center - width + half * strideIn + strideIn - 1) / strideIn)
                        let high = min(2 * half, (center + width + half * strideIn) / strideIn)
                        var total = 0.0
                        var j = low
                        // Kernel index for point j: width + center − (j − half)·strideIn; by symmetry also
                        // width − center + (j − half)·strideIn, rising with j.
                        var k = width - center + (j - half) * strideIn
                        if strideIn == 1 {
                            // Two independent sums of four, so the additions overlap.
                            var sums = SIMD4<Double>(repeating: 0)
                            var more = SIMD4<Double>(repeating: 0)
                            let m = UnsafeRawPointer(masses.baseAddress!)
                            let g = UnsafeRawPointer(kernel.baseAddress!)
                            let size = MemoryLayout<Double>.stride
                            while j + 7 <= high {
                                sums +=
                                    m.loadUnaligned(fromByteOffset: j * size, as: SIMD4<Double>.self)
                                    * g.loadUnaligned(fromByteOffset: k * size, as: SIMD4<Double>.self)
                                more +=
                                    m.loadUnaligned(fromByteOffset: (j + 4) * size, as: SIMD4<Double>.self)
                                    * g.loadUnaligned(fromByteOffset: (k + 4) * size, as: SIMD4<Double>.self)
                                j += 8
                                k += 8
                            }
                            total = (sums + more).sum()
                        }
                        while j <= high {
                            total += masses[j] * kernel[k]
                            j += 1
                            k += strideIn
                        }
                        let s = Double(center) * fine
                        let a = (s - previous.edge) / sd
                        let b = (s + previous.edge) / sd
                        if a > -kernelReach { total += previous.edgeMass * exp(-a * a / 2) * norm }
                        if b < kernelReach { total += previous.edgeMass * exp(-b * b / 2) * norm }
                        density[i] = total
                    }
                }
            }
        }
        // At the edge: off the lattice, one exp per point within reach.
        var total = 0.0
        let low = max(-half, Int(((edge - kernelReach * sd) / previous.spacing).rounded(.up)))
        let high = min(half, Int(((edge + kernelReach * sd) / previous.spacing).rounded(.down)))
        if low <= high {
            for j in low...high {
                let x = (edge - Double(j) * previous.spacing) / sd
                total += previous.mass[abs(j)] * exp(-x * x / 2)
            }
        }
        for side in 0..<2 {
            let x = (edge + (side == 0 ? -previous.edge : previous.edge)) / sd
            if abs(x) < kernelReach { total += previous.edgeMass * exp(-x * x / 2) }
        }
        return total * norm
    }

    /// P(no earlier crossing, |S| ≥ bound) at the next look under the null, and its derivative in `bound`.
    static func exit(_ look: Look, at bound: Double, sd: Double) -> (value: Double, slope: Double) {
        // By symmetry, both tails together are twice the upper tail summed over every point of both sides.
        let half = look.mass.count - 1
        var total = 0.0
        var slope = 0.0
        let low = max(-half, Int(((bound - reach * sd) / look.spacing).rounded(.up)))
        if low <= half {
            for j in low...half {
                let x = (bound - Double(j) * look.spacing) / sd
                let m = look.mass[abs(j)]
                total += m * Normal.survival(x)
                slope += m * exp(-x * x / 2)
            }
        }
        for side in 0..<2 {
            let x = (bound + (side == 0 ? -look.edge : look.edge)) / sd
            guard x < reach else { continue }
            total += look.edgeMass * Normal.survival(x)
            slope += look.edgeMass * exp(-x * x / 2)
        }
        return (2 * total, -2 * slope / (sd * (2 * Double.pi).squareRoot()))
    }

    /// The boundary c at which P(no earlier crossing, |S_t| ≥ c·√t) equals `increment`: Newton steps on log(exit), kept
    /// inside a bisection bracket.
    static func solve(_ look: Look, t: Double, sd: Double, increment: Double, guess: Double) -> Double {
        let root = t.squareRoot()
        var low = 0.0
        var high = 40.0
        var c = guess > 0 && guess < high ? guess : -Normal.quantile(increment / 2)
        for _ in 0..<200 {
            let (value, slope) = exit(look, at: c * root, sd: sd)
            if value > increment { low = c } else { high = c }
            guard slope < 0, value > 0 else {
                c = (low + high) / 2
                continue
            }
            // Newton in log(exit), which is close to linear in c², kept inside the bracket.
            let step = -(log(value) - log(increment)) * value / (slope * root)
            if abs(step) <= 1e-12 * c { return min(max(c + step, low), high) }
            c = c + step > low && c + step < high ? c + step : (low + high) / 2
            if high - low <= 1e-12 * c { return c }
        }
        return high
    }
}
