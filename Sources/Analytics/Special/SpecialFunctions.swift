import Foundation

/// Special functions behind the distributions: log-beta, regularised incomplete beta and gamma.
public enum SpecialFunctions {
    /// log B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b).
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// The regularised incomplete beta function I_x(a, b), the CDF of Beta(a, b) at x.
    ///
    /// Continued fraction evaluated by the modified Lentz method, on the side of the
    /// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast
    /// (Numerical Recipes 3rd ed. §6.4; DiDonato & Morris 1992 for the choice of side).
    ///
    /// - Precondition: a > 0, b > 0.
    /// - Complexity: O(√max(a, b)) iterations.
    public static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "Beta parameters must be positive")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = logPowerTerms(x: x, a: a, b: b)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
    }

    /// log(xᵃ (1−x)ᵇ / B(a, b)), the prefactor of the incomplete beta function.
    ///
    /// For large a and b the direct form subtracts numbers near 10⁷ and loses digits; there it
    /// is rewritten around x₀ = a/(a+b) with Stirling's series, so only small terms cancel
    /// (the idea of DiDonato & Morris 1992 and Boost's `ibeta_power_terms`):
    /// a·log1p((x−x₀)/x₀) + b·log1p((x₀−x)/(1−x₀)) + ½·log(ab/(2π(a+b))) − δ(a) − δ(b) + δ(a+b),
    /// where δ is the remainder of Stirling's formula for lnΓ.
    static func logPowerTerms(x: Double, a: Double, b: Double) -> Double {
        guard min(a, b) >= 10 else { return a * log(x) + b * log1p(-x) - logBeta(a, b) }
        let total = a + b
        let center = a / total
        let first = a * log1p((x - center) / center)
        let second = b * log1p((center - x) / (1 - center))
        return first + second + 0.5 * log(a * b / (2 * Double.pi * total))
            - stirlingRemainder(a) - stirlingRemainder(b) + stirlingRemainder(total)
    }

    /// δ(z) = lnΓ(z) − ((z − ½) ln z − z + ½ ln 2π), by its asymptotic series (z ≥ 10).
    static func stirlingRemainder(_ z: Double) -> Double {
        let inverse = 1 / z
        let inverseSquared = inverse * inverse
        return inverse
            * (1.0 / 12 - inverseSquared * (1.0 / 360 - inverseSquared * (1.0 / 1260 - inverseSquared * (1.0 / 1680 - inverseSquared / 1188))))
    }

    /// The continued fraction of I_x(a, b) (Numerical Recipes `betacf`).
    static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }

    /// The inverse of I_x(a, b) in x: the p-quantile of Beta(a, b).
    ///
    /// Safeguarded Newton iteration on the log-density, kept inside a shrinking bracket
    /// so it never leaves (0, 1); converges to full double precision.
    public static func inverseRegularizedIncompleteBeta(p: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "Beta parameters must be positive")
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        var low = 0.0
        var high = 1.0
        // Start from a normal approximation, clipped into the open interval.
        let mean = a / (a + b)
        let sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)))
        var x = min(max(mean + sd * Normal.quantile(p), 1e-300), 1 - 1e-16)
        let logB = logBeta(a, b)
        for _ in 0..<200 {
            let f = regularizedIncompleteBeta(x: x, a: a, b: b) - p
            if f < 0 { low = x } else { high = x }
            let logDensity = (a - 1) * log(x) + (b - 1) * log1p(-x) - logB
            var next = x - f / exp(logDensity)
            if !(next > low && next < high) || !next.isFinite {
                next = (low + high) / 2
            }
            if abs(next - x) <= 1e-15 * max(x, 1e-300) || high - low <= 1e-16 * max(x, 1e-300) {
                return next
            }
            x = next
        }
        return x
    }

    /// The regularised upper incomplete gamma function Q(s, x) = Γ(s, x) / Γ(s).
    ///
    /// Series for x < s + 1, continued fraction otherwise (Numerical Recipes §6.2).
    public static func regularizedGammaQ(s: Double, x: Double) -> Double {
        precondition(s > 0, "shape must be positive")
        if x <= 0 { return 1 }
        let logFront = s * log(x) - x - lgamma(s)
        if x < s + 1 {
            var term = 1 / s
            var sum = term
            var n = s
            for _ in 0..<100_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logFront))
        }
        let tiny = 1e-300
        var b = x + 1 - s
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...100_000 {
            let an = -Double(i) * (Double(i) - s)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logFront) * h
    }

    /// The chi-square survival function P(χ²_k ≥ x).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Double) -> Double {
        regularizedGammaQ(s: k / 2, x: x / 2)
    }

    /// The p-quantile of χ²_k, by bisection on the survival function to 1e-12 relative.
    public static func chiSquareQuantile(_ p: Double, degreesOfFreedom k: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return .infinity }
        var low = 0.0
        var high = max(1, k)
        while 1 - chiSquareSurvival(high, degreesOfFreedom: k) < p { high *= 2 }
        for _ in 0..<300 {
            let middle = (low + high) / 2
            if 1 - chiSquareSurvival(middle, degreesOfFreedom: k) < p { low = middle } else { high = middle }
            if high - low <= 1e-12 * high { break }
        }
        return (low + high) / 2
    }
}
