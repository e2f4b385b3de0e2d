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
