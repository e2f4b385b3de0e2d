import Foundation

/// Student's t distribution with `degreesOfFreedom` (any positive real, as Welch's test needs).
public struct StudentT: Sendable, Equatable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0)
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2) = 1 − I_{t²/(ν+t²)}(1/2, ν/2); the form whose argument
    /// is computed without cancellation is used.
    public func twoSidedPValue(_ t: Double) -> Double {
        guard t.isFinite else { return 0 }
        let (central, tail) = parts(t)
        return central.map { 1 - $0 } ?? tail!
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let (central, tail) = parts(t)
        if let central { return t >= 0 ? 0.5 + central / 2 : 0.5 - central / 2 }
        return t >= 0 ? 1 - tail! / 2 : tail! / 2
    }

    /// Either P(|T| < |t|) (for small |t|) or P(|T| ≥ |t|) (for large |t|), whichever is accurate.
    private func parts(_ t: Double) -> (central: Double?, tail: Double?) {
        let square = t * t
        let y = square / (degreesOfFreedom + square)
        if y < 0.5 { return (SpecialFunctions.regularizedIncompleteBeta(x: y, a: 0.5, b: degreesOfFreedom / 2), nil) }
        let x = degreesOfFreedom / (degreesOfFreedom + square)
        return (nil, SpecialFunctions.regularizedIncompleteBeta(x: x, a: degreesOfFreedom / 2, b: 0.5))
    }

    /// The p-quantile, by bisection on the CDF to 1e-12.
    public func quantile(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        var low = -1.0
        var high = 1.0
        while cdf(low) > p { low *= 2 }
        while cdf(high) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if cdf(middle) < p { low = middle } else { high = middle }
            if high - low < 1e-12 * max(1, abs(middle)) { break }
        }
        return (low + high) / 2
    }
}
