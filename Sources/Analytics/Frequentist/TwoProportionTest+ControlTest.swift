extension TwoProportionTest: ControlTest {
    var difference: Double { absoluteDifference }
    var relative: Double? { relativeDifference }
    /// The unpooled (Wald) variance.
    var variance: Double { unpooledVariance }
    /// The pooled variance, as the z-test uses.
    var nullVariance: Double { pooledVariance }
}
