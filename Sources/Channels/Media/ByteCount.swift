/// Byte counts written for people: `980 KB`, `1.2 MB` (decimal units, as the platforms state their limits).
public enum ByteCount {
    /// `999 bytes`, `1,000 KB`-style text for a byte count.
    public static func describe(_ bytes: Int) -> String {
        if bytes < 1_000 { return "\(bytes) bytes" }
        if bytes < 1_000_000 { return "\(bytes / 1_000) KB (\(bytes) bytes)" }
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB (\(bytes) bytes)"
    }
}
