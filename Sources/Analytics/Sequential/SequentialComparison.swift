/// A sequential comparison of one arm with the control, whichever method made it: the group-sequential
/// test when the looks were planned, the always-valid confidence sequence otherwise.
struct SequentialComparison {
    var pValue: Double
    var interval: ClosedRange<Double>
    /// `group_sequential` or `confidence_sequence`.
    var method: String

    init(pValue: Double, interval: ClosedRange<Double>, method: String) {
        self.pValue = pValue
        self.interval = interval
        self.method = method
    }

    /// The group-sequential test at the last look: repeated p-value (z from `testVariance`, the
    /// variance under the null) and repeated confidence interval (from `variance`).
    ///
    /// After the final analysis (``GroupSequentialDesign/hasEnded``) nothing is left to spend: the p-value is 1, so
    /// no later look declares anything, and the interval keeps the final analysis's boundary.
    init(groupSequential design: GroupSequentialDesign, difference: Double, variance: Double, testVariance: Double) {
        let standardError = variance.squareRoot()
        let testError = testVariance.squareRoot()
        let boundary = design.boundaries.last!
        pValue = testError > 0 && !design.hasEnded ? design.pValue(z: difference / testError) : 1
        interval = (difference - boundary * standardError)...(difference + boundary * standardError)
        method = "group_sequential"
    }

    /// The always-valid confidence sequence, tightest at ``Scorer/defaultTuningSampleSize``.
    init(confidenceSequenceFor difference: Double, variance: Double, sampleSize: Int, alpha: Double) {
        let sequence = ConfidenceSequence(
            difference: difference,
            variance: variance,
            sampleSize: sampleSize,
            alpha: alpha,
            tuningSampleSize: Scorer.defaultTuningSampleSize
        )
        self.init(pValue: sequence.pValue, interval: sequence.interval, method: "confidence_sequence")
    }

    /// Either method: group-sequential when the test was planned, always-valid otherwise.
    static func make(
        design: GroupSequentialDesign?,
        difference: Double,
        variance: Double,
        testVariance: Double,
        sampleSize: Int,
        alpha: Double
    ) -> SequentialComparison {
        if let design {
            return SequentialComparison(groupSequential: design, difference: difference, variance: variance, testVariance: testVariance)
        }
        return SequentialComparison(confidenceSequenceFor: difference, variance: variance, sampleSize: sampleSize, alpha: alpha)
    }
}
