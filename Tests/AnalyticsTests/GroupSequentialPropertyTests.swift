import Testing

@testable import Analytics

/// Every spending function, from one look to a thousand (hourly for six weeks): boundaries finite and ordered as the
/// spending makes them, the probabilities of first crossing adding up to α(t), and repeated p-values that agree with
/// the boundaries.
struct GroupSequentialPropertyTests {
    static let spendings: [GroupSequentialDesign.Spending] = [.power(1), .power(2), .power(3), .obrienFleming, .pocock]

    static func equallySpaced(_ looks: Int) -> [Double] { (1...looks).map { Double($0) / Double(looks) } }

    @Test(arguments: [1, 2, 30, 1_000])
    func everySpendingGivesFiniteBoundariesThatSpendAlpha(looks: Int) {
        for spending in Self.spendings {
            let design = GroupSequentialDesign(fractions: Self.equallySpaced(looks), alpha: 0.05, spending: spending)
            #expect(design.boundaries.count == looks)
            #expect(design.boundaries.allSatisfy { $0.isFinite && $0 > 1 && $0 < 40 }, "\(spending), \(looks) looks")
            // Power and O'Brien–Fleming spending start slow: equally spaced boundaries never rise. (Pocock-type spending
            // front-loads α: its second of two boundaries is above the first, as gsDesign's are: 2.157, 2.201.)
            if spending != .pocock {
                #expect(zip(design.boundaries, design.boundaries.dropFirst()).allSatisfy { $0 >= $1 }, "\(spending), \(looks) looks")
            }
            // The last boundary is crossed, first, with what is left of α; and no crossing before plus α spent before is 1.
            #expect(abs(design.stagewisePValue(z: design.boundaries.last!) - 0.05) < 1e-9, "\(spending), \(looks) looks")
            #expect(abs(design.stagewisePValue(z: 0) - 1) < 1e-7, "\(spending), \(looks) looks")
        }
    }

    /// Look by look, the first-crossing probability is the increment of α(t), and what stays inside the continuation
    /// region (integrated over the propagated density, independently of the crossing sums) is 1 − α(t).
    @Test(arguments: [2, 30])
    func exitProbabilitiesAddUpToTheSpentAlpha(looks: Int) {
        for spending in Self.spendings {
            let fractions = Self.equallySpaced(looks)
            let design = GroupSequentialDesign(fractions: fractions, alpha: 0.05, spending: spending)
            var look: BoundaryRecursion.Look?
            var spent = 0.0
            var exits = 0.0
            for (index, t) in fractions.enumerated() {
                let step = (t - (index == 0 ? 0 : fractions[index - 1])).squareRoot()
                let boundary = design.boundaries[index]
                let exit = look.map { BoundaryRecursion.exit($0, at: boundary * t.squareRoot(), sd: step).value } ?? 2 * Normal.survival(boundary)
                let target = spending.spent(t, alpha: 0.05)
                #expect(abs(exit - (target - spent)) <= 1e-9 * target + 1e-15, "\(spending), look \(index + 1)")
                spent = target
                exits += exit
                look = BoundaryRecursion.propagate(
                    from: look,
                    t: t,
                    sd: step,
                    edge: boundary * t.squareRoot(),
                    spacing: step / 8  // as the design does for equally spaced looks
                )
                let inside = look!.mass.reduce(0, +) * 2 - look!.mass[0] + 2 * look!.edgeMass
                #expect(abs(inside + exits - 1) < 1e-7, "\(spending), look \(index + 1): inside \(inside), spent \(exits)")
            }
        }
    }

    /// The repeated p-value works for every spending (O'Brien–Fleming's made the previous search fail), falls as |z|
    /// grows, and is below α (as decisions take it) exactly when |z| reaches the last boundary.
    @Test(arguments: [1, 2, 30])
    func repeatedPValuesAgreeWithTheBoundaries(looks: Int) {
        for spending in Self.spendings {
            let design = GroupSequentialDesign(fractions: Self.equallySpaced(looks), alpha: 0.05, spending: spending)
            let boundary = design.boundaries.last!
            var previous = 1.0
            for z in stride(from: 0.0, through: 7, by: 0.5) {
                let p = design.pValue(z: z)
                #expect(p > 0 && p <= 1 && p <= previous, "\(spending), \(looks) looks, z = \(z)")
                previous = p
            }
            #expect(design.pValue(z: boundary + 1e-6) < 0.05, "\(spending), \(looks) looks")
            #expect(design.pValue(z: boundary - 1e-6) > 0.05, "\(spending), \(looks) looks")
            #expect(design.pValue(z: -boundary - 1e-6) < 0.05, "\(spending), \(looks) looks")
        }
    }

    @Test func aThousandLookPValueAgreesWithItsBoundary() {
        let design = GroupSequentialDesign(fractions: Self.equallySpaced(1_000), alpha: 0.05)
        let boundary = design.boundaries.last!
        #expect(design.pValue(z: boundary + 1e-6) < 0.05)
        #expect(design.pValue(z: boundary - 1e-6) > 0.05)
        let p = design.pValue(z: 3)
        #expect(p > 1e-4 && p < 0.05)
    }
}
