/// A small, fast, seeded random number generator (SplitMix64, Steele, Lea & Flood 2014), so that
/// generation is reproducible: the same seed gives the same sequence on every platform.
///
/// ```swift
/// var random = SeededRandom(seed: 42)
/// let hook = Hook.allCases.randomElement(using: &random)
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one named purpose, independent of the others drawn from the same seed
    /// (so changing one part of a variant does not reshuffle the rest).
    public init(seed: UInt64, stream: String) {
        // FNV-1a over the stream's bytes: stable across processes, unlike `Hasher`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        state = seed ^ hash
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// A stable 64-bit hash of a string (FNV-1a), for deriving seeds from text.
public func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}

/// Draws `count` distinct integers from `0..<upperBound`, uniformly, in random order (Floyd's algorithm).
///
/// - Complexity: O(`count`) expected, independent of `upperBound`.
func sampleDistinct(_ count: Int, below upperBound: Int, using random: inout some RandomNumberGenerator) -> [Int] {
    let k = min(max(count, 0), max(upperBound, 0))
    guard k > 0 else { return [] }
    var chosen = Set<Int>()
    var order: [Int] = []
    for j in (upperBound - k)..<upperBound {
        let t = Int.random(in: 0...j, using: &random)
        if chosen.insert(t).inserted {
            order.append(t)
        } else {
            chosen.insert(j)
            order.append(j)
        }
    }
    order.shuffle(using: &random)
    return order
}
