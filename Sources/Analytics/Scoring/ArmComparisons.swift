/// The steps binomial and mean scoring share, whatever the metric: which arm is the control, the planned
/// looks, each other arm's fixed-sample test against the control with its sequential counterpart, the Holm
/// and Benjamini–Hochberg adjustments across those arms, the sample-ratio check, and the arms as the
/// advice rules see them.
///
/// The input is validated before (``ScoreInput/validate()``): ids are unique and the control is one of them.
struct ArmComparisons<Test: ControlTest> {
    /// One non-control arm against the control.
    struct Comparison {
        /// The fixed-sample test.
        var test: Test
        /// `test`'s p-value, Holm-adjusted across the non-control arms.
        var pValueHolm: Double
        /// `test`'s p-value, Benjamini–Hochberg-adjusted across the non-control arms.
        var pValueBH: Double
        /// The sequential comparison, its p-value Holm-adjusted across the non-control arms: what decisions use.
        var sequential: ScoreResult.Sequential
    }

    /// The error rate for intervals and decisions (0.05 unless given).
    let alpha: Double
    /// The control's position among the arms (the first arm unless named).
    let controlIndex: Int
    /// The group-sequential plan for the looks so far, when the input describes one.
    let design: GroupSequentialDesign?
    /// Trials (or units) per arm against the planned weights.
    let srm: SampleRatioMismatch
    /// By arm position; none for the control.
    private let comparisons: [Int: Comparison]

    /// - Parameters:
    ///   - ids: The arms' ids, in input order.
    ///   - control: The control's id; the first arm when nil.
    ///   - sampleSizes: Trials (or units) per arm.
    ///   - assigned: What the sample-ratio check counts per arm when not `sampleSizes` (posts whose impressions come in
    ///     lumps).
    ///   - weights: Planned traffic shares per arm, all given or none.
    ///   - design: The planned test, if any.
    ///   - alpha: The error rate; 0.05 when nil.
    ///   - test: The test of the arm at the first position against the control at the second, at the given alpha.
    init(
        ids: [String],
        control: String?,
        sampleSizes: [Int],
        weights: [Double?],
        assigned: [Int]? = nil,
        design: ScoreInput.Design?,
        alpha: Double?,
        test: (_ arm: Int, _ control: Int, _ alpha: Double) -> Test
    ) {
        let alpha = alpha ?? 0.05
        let controlIndex = control.flatMap { id in ids.firstIndex(of: id) } ?? 0
        // With a planned design, the looks so far get group-sequential boundaries; without, an always-valid sequence.
        let design = design.map {
            GroupSequentialDesign(horizon: $0.horizon, earlierLooks: $0.looks ?? [], current: sampleSizes.reduce(0, +), alpha: alpha)
        }
        let treatments = ids.indices.filter { $0 != controlIndex }
        let tests = treatments.map { test($0, controlIndex, alpha) }
        let sequences = zip(treatments, tests).map { index, test in
            SequentialComparison.make(
                design: design,
                difference: test.difference,
                variance: test.variance,
                testVariance: test.nullVariance,
                sampleSize: sampleSizes[index] + sampleSizes[controlIndex],
                alpha: alpha
            )
        }
        let holm = MultipleTesting.holm(tests.map(\.pValue))
        let benjaminiHochberg = MultipleTesting.benjaminiHochberg(tests.map(\.pValue))
        let sequentialHolm = MultipleTesting.holm(sequences.map(\.pValue))
        var comparisons: [Int: Comparison] = [:]
        for (position, index) in treatments.enumerated() {
            let sequence = sequences[position]
            comparisons[index] = Comparison(
                test: tests[position],
                pValueHolm: holm[position],
                pValueBH: benjaminiHochberg[position],
                sequential: ScoreResult.Sequential(
                    pValue: sequence.pValue,
                    pValueHolm: sequentialHolm[position],
                    ci: [sequence.interval.lowerBound, sequence.interval.upperBound],
                    method: sequence.method
                )
            )
        }
        self.alpha = alpha
        self.controlIndex = controlIndex
        self.design = design
        // Validation allows weights for every arm or for none: the first tells which.
        self.srm = SampleRatioMismatch(trials: assigned ?? sampleSizes, weights: weights.first.flatMap { $0 } == nil ? nil : weights.map { $0 ?? 0 })
        self.comparisons = comparisons
    }

    /// The comparison of the arm at `index` with the control; nil for the control.
    subscript(index: Int) -> Comparison? { comparisons[index] }

    /// The arm at `index` as the advice rules see it.
    func advisorArm(_ index: Int, id: String, trials: Int, value: Double, pBest: Double) -> Advisor.Arm {
        let comparison = comparisons[index]
        return Advisor.Arm(
            id: id,
            trials: trials,
            value: value,
            pBest: pBest,
            absolute: comparison?.test.difference,
            relative: comparison?.test.relative,
            sequentialPValue: comparison?.sequential.pValueHolm
        )
    }
}
