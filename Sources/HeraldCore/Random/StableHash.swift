/// A stable 64-bit hash of a string (FNV-1a over its UTF-8 bytes), for deriving seeds from text.
///
/// Unlike `Hasher`, it is the same in every process and on every platform.
///
/// ```swift
/// var random = SplitMix64(seed: stableHash(variant.text))
/// ```
public func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}
