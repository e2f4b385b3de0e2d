/// Adaptive Gauss–Kronrod (7/15-point) quadrature.
///
/// Bisects the interval where the difference between the Gauss and Kronrod estimates
/// exceeds its share of the tolerance; endpoints are never evaluated, so integrable
/// endpoint singularities (Beta densities with a parameter below 1) are handled.
public enum Quadrature {
    private static let kronrodNodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.000000000000000000000000000000000,
    ]
    private static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    private static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    /// ∫ f over [lower, upper] to within `tolerance` (absolute).
    ///
    /// - Parameters:
    ///   - lower: Lower bound.
    ///   - upper: Upper bound; may equal `lower` (the integral is then 0).
    ///   - tolerance: Absolute error allowed on the whole integral.
    ///   - maximumDepth: How many times an interval may be halved.
    ///   - f: The integrand.
    public static func integrate(
        from lower: Double,
        to upper: Double,
        tolerance: Double = 1e-10,
        maximumDepth: Int = 50,
        _ f: (Double) -> Double
    ) -> Double {
        guard upper > lower else { return 0 }
        let whole = upper - lower
        // An explicit work list instead of recursion: callers may run on small task stacks.
        var pending: [(a: Double, b: Double, depth: Int)] = [(lower, upper, maximumDepth)]
        var total = 0.0
        var compensation = 0.0  // Kahan summation keeps many small pieces exact
        while let (a, b, depth) = pending.popLast() {
            let (kronrod, gauss) = rule(a, b, f)
            let error = abs(kronrod - gauss)
            // Each piece may use its share of the tolerance, in proportion to its width.
            let allowed = max(tolerance * (b - a) / whole, 1e-300)
            if error <= allowed || depth == 0 || b - a < 1e-15 * max(abs(a), abs(b), 1e-300) {
                let y = kronrod - compensation
                let t = total + y
                compensation = (t - total) - y
                total = t
            } else {
                let middle = (a + b) / 2
                pending.append((middle, b, depth - 1))
                pending.append((a, middle, depth - 1))
            }
        }
        return total
    }

    private static func rule(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> (Double, Double) {
        let center = (a + b) / 2
        let half = (b - a) / 2
        let fCenter = f(center)
        var kronrod = fCenter * kronrodWeights[7]
        var gauss = fCenter * gaussWeights[3]
        for index in 0..<7 {
            let offset = half * kronrodNodes[index]
            let sum = f(center - offset) + f(center + offset)
            kronrod += kronrodWeights[index] * sum
            if index % 2 == 1 { gauss += gaussWeights[index / 2] * sum }
        }
        return (kronrod * half, gauss * half)
    }
}
