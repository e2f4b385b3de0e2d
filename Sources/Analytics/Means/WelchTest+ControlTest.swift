extension WelchTest: ControlTest {
    /// Welch's test has no separate null variance: the unequal-variance estimate serves both.
    var nullVariance: Double { variance }
}
