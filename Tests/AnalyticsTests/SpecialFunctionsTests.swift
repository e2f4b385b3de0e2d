import Testing

@testable import Analytics

struct SpecialFunctionsTests {
    struct Fixtures: Decodable {
        struct IncompleteBeta: Decodable { var a, b, x, value: Double }
        struct BetaQuantile: Decodable { var a, b, p, value: Double }
        struct NormalQuantile: Decodable { var p, value: Double }
        struct ChiSquare: Decodable { var df, x, value: Double }
        var incomplete_beta: [IncompleteBeta]
        var beta_quantile: [BetaQuantile]
        var normal_quantile: [NormalQuantile]
        var chi2_sf: [ChiSquare]
        struct ChiSquareQuantile: Decodable { var df, p, value: Double }
        var chi2_quantile: [ChiSquareQuantile]
    }

    let fixtures: Fixtures

    init() throws {
        fixtures = try loadFixture("special_functions", as: Fixtures.self)
    }

    @Test func incompleteBetaMatchesSciPy() {
        for case let item in fixtures.incomplete_beta {
            let value = SpecialFunctions.regularizedIncompleteBeta(x: item.x, a: item.a, b: item.b)
            #expect(isClose(value, item.value, relative: 1e-10, absolute: 1e-15), "I_\(item.x)(\(item.a), \(item.b)) = \(value), SciPy \(item.value)")
        }
    }

    @Test func betaQuantileMatchesSciPy() {
        for item in fixtures.beta_quantile {
            let value = SpecialFunctions.inverseRegularizedIncompleteBeta(p: item.p, a: item.a, b: item.b)
            #expect(isClose(value, item.value, relative: 1e-9), "Q(\(item.p); \(item.a), \(item.b)) = \(value), SciPy \(item.value)")
        }
    }

    @Test func normalQuantileMatchesSciPy() {
        for item in fixtures.normal_quantile {
            let value = Normal.quantile(item.p)
            #expect(isClose(value, item.value, relative: 1e-12, absolute: 1e-14), "Φ⁻¹(\(item.p)) = \(value), SciPy \(item.value)")
        }
    }

    @Test func chiSquareSurvivalMatchesSciPy() {
        for item in fixtures.chi2_sf {
            let value = SpecialFunctions.regularizedGammaQ(s: item.df / 2, x: item.x / 2)
            #expect(isClose(value, item.value, relative: 1e-10), "χ²(\(item.df)) sf(\(item.x)) = \(value), SciPy \(item.value)")
        }
    }

    @Test func chiSquareQuantileMatchesSciPy() {
        for item in fixtures.chi2_quantile {
            let value = SpecialFunctions.chiSquareQuantile(item.p, degreesOfFreedom: item.df)
            #expect(isClose(value, item.value, relative: 1e-9), "χ²(\(item.df)) ppf(\(item.p)) = \(value), SciPy \(item.value)")
        }
    }

    @Test func sequentialSampleRatioCheckFlagsRealImbalanceOnly() {
        let balanced = SampleRatioMismatch(trials: [50_120, 49_880], weights: nil)
        #expect(balanced.sequentialPValue > 0.5 && !balanced.detected)
        let broken = SampleRatioMismatch(trials: [52_000, 48_000], weights: nil)
        #expect(broken.sequentialPValue < 0.001 && broken.detected)
        // Anytime-valid costs evidence: it never claims more than the fixed-horizon test.
        let edge = SampleRatioMismatch(trials: [50_600, 49_400], weights: nil)
        #expect(edge.sequentialPValue >= edge.pValue)
    }

    @Test func quantileInvertsCDF() {
        for (a, b) in [(0.5, 0.5), (1.0, 1.0), (3.0, 900.0), (4000.0, 96000.0)] {
            for p in [1e-10, 0.001, 0.3, 0.5, 0.9, 0.999999] {
                let x = SpecialFunctions.inverseRegularizedIncompleteBeta(p: p, a: a, b: b)
                let back = SpecialFunctions.regularizedIncompleteBeta(x: x, a: a, b: b)
                #expect(isClose(back, p, relative: 1e-9), "Beta(\(a), \(b)): CDF(Q(\(p))) = \(back)")
            }
        }
    }
}
