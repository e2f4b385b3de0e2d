import Foundation
import HeraldCore
import Testing

@testable import Analytics

struct MeanScoringTests {
    struct Case: Decodable {
        struct Arm: Decodable {
            struct Versus: Decodable {
                var absolute: Double
                var p_value: Double
                var df: Double
                var ci: [Double]
            }
            var id: String
            var mean: Double
            var sd: Double
            var p_best: Double
            var vs_control: Versus?
        }
        struct Expected: Decodable { var arms: [Arm] }
        var name: String
        var input: MeanScoreInput
        var expected: Expected
    }

    /// Against SciPy's Welch test, t quantiles and P(best) by quadrature (Fixtures/make_fixtures.py).
    @Test func matchesSciPy() throws {
        for fixture in try loadFixture("mean_cases", as: [Case].self) {
            let result = try Scorer.score(fixture.input)
            for (arm, expected) in zip(result.arms, fixture.expected.arms) {
                #expect(isClose(arm.mean, expected.mean, relative: 1e-12))
                #expect(isClose(arm.sd, expected.sd, relative: 1e-9))
                #expect(abs(arm.pBest - expected.p_best) < 1e-7, "\(fixture.name) \(arm.id) p_best \(arm.pBest) vs \(expected.p_best)")
                if let versus = expected.vs_control {
                    let actual = try #require(arm.vsControl)
                    #expect(isClose(actual.absolute, versus.absolute, relative: 1e-9, absolute: 1e-15))
                    #expect(
                        isClose(actual.pValue, versus.p_value, relative: 1e-7, absolute: 1e-15),
                        "\(fixture.name) \(arm.id) p \(actual.pValue) vs \(versus.p_value)"
                    )
                    #expect(isClose(actual.degreesOfFreedom, versus.df, relative: 1e-9))
                    #expect(isClose(actual.ci[0], versus.ci[0], relative: 1e-7, absolute: 1e-12))
                    #expect(isClose(actual.ci[1], versus.ci[1], relative: 1e-7, absolute: 1e-12))
                }
            }
            #expect(abs(result.arms.map(\.pBest).reduce(0, +) - 1) < 1e-6)
        }
    }

    @Test func impossibleStatisticsAreNamed() {
        let input = MeanScoreInput(arms: [.init(id: "A", n: 10, sum: 100, sumSquares: 10), .init(id: "B", n: 10, sum: 1, sumSquares: 1)])
        #expect {
            try Scorer.score(input)
        } throws: { error in
            "\(error)".hasPrefix("arms[0].sum_squares: 10.0 is too small for n = 10 and sum = 100.0")
        }
    }

    @Test func studentTQuantileInvertsItsCDF() {
        for df in [1.5, 4.0, 30.0, 1_000.0] {
            let distribution = StudentT(degreesOfFreedom: df)
            for p in [0.001, 0.025, 0.5, 0.9] {
                #expect(abs(distribution.cdf(distribution.quantile(p)) - p) < 1e-9)
            }
        }
    }
}
