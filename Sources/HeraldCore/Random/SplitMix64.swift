/// A small, fast, seeded random number generator (SplitMix64, Steele, Lea & Flood 2014, "Fast splittable
/// pseudorandom number generators"), so that simulations, tests and content generation repeat exactly:
/// the same seed gives the same sequence on every platform.
///
/// For simulations, tests and generation; not for secrets.
///
/// ```swift
/// var random = SplitMix64(seed: 42)
/// let hook = Hook.allCases.randomElement(using: &random)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one named purpose, independent of the others drawn from the same seed
    /// (so changing one part of a variant does not reshuffle the rest).
    ///
    /// The state is `seed` XOR the ``stableHash(_:)`` of `stream`, advanced by one draw.
    public init(seed: UInt64, stream: String) {
        state = seed ^ stableHash(stream)
        _ = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
