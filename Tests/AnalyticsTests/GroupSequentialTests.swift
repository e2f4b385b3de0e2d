import Testing

@testable import Analytics

struct GroupSequentialTests {
    struct Design: Decodable {
        var spending: String
        var fractions: [Double]
        var alpha: Double
        var boundaries: [Double]
    }

    static func spending(_ name: String) -> GroupSequentialDesign.Spending {
        switch name {
        case "obf": return .obrienFleming
        case "pocock": return .pocock
        default: return .power(Double(name.split(separator: ":")[1])!)
        }
    }

    /// Against boundaries found with SciPy's multivariate normal CDF (Fixtures/make_group_sequential.py).
    @Test func boundariesMatchAnIndependentComputation() throws {
        for design in try loadFixture("group_sequential", as: [Design].self) {
            let computed = GroupSequentialDesign(fractions: design.fractions, alpha: design.alpha, spending: Self.spending(design.spending))
            for (mine, reference) in zip(computed.boundaries, design.boundaries) {
                #expect(abs(mine - reference) < 2e-3, "\(design.spending) \(design.fractions): \(computed.boundaries) vs \(design.boundaries)")
            }
        }
    }

    /// Against boundaries for many looks (hourly for six weeks; 42 days of traffic 0.8 to 1.2 of the plan) from an
    /// independent recursion on grids three times finer than the previous implementation's
    /// (Fixtures/make_group_sequential_many.py): unchanged to 1e-6.
    @Test func manyLookBoundariesMatchAnIndependentComputation() throws {
        for design in try loadFixture("group_sequential_many", as: [Design].self) {
            let computed = GroupSequentialDesign(fractions: design.fractions, alpha: design.alpha, spending: Self.spending(design.spending))
            #expect(computed.boundaries.count == design.boundaries.count)
            let worst = zip(computed.boundaries, design.boundaries).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-6, "\(design.spending), \(design.fractions.count) looks: off by \(worst)")
        }
    }

    @Test func pocockMatchesThePublishedTable() {
        // Jennison & Turnbull (2000), Lan–DeMets Pocock-type spending, K = 5, two-sided α = 0.05.
        let design = GroupSequentialDesign(fractions: [0.2, 0.4, 0.6, 0.8, 1], alpha: 0.05, spending: .pocock)
        for (mine, published) in zip(design.boundaries, [2.438, 2.427, 2.410, 2.397, 2.386]) {
            #expect(abs(mine - published) < 2e-3)
        }
    }

    @Test func repeatedPValueCrossesAtTheBoundary() {
        let design = GroupSequentialDesign(fractions: [0.25, 0.5, 0.75], alpha: 0.05)
        let boundary = design.boundaries.last!
        #expect(design.pValue(z: boundary + 0.01) < 0.05)
        #expect(design.pValue(z: boundary - 0.01) > 0.05)
        #expect(design.pValue(z: 0) > 0.99)
        // The stage-wise p-value equals the α spent so far at the last boundary.
        #expect(abs(design.stagewisePValue(z: boundary) - 0.05 * 0.75 * 0.75) < 1e-4)
    }
}
