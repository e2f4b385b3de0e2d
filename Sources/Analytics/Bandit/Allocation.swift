import Foundation

/// Next period's traffic split across live arms, by Thompson sampling computed exactly.
///
/// Thompson sampling sends each unit to the arm that a posterior draw ranks best, so the share an
/// arm gets is its probability of being best — computed here by integration (``BestArm``) instead of
/// by drawing. A floor keeps every live arm learning, and no arm moves before a burn-in.
public struct Allocation: Sendable, Equatable {
    /// Shares in arm order, summing to 1.
    public var shares: [Double]
    /// Whether the split moved from equal (false during burn-in).
    public var adapted: Bool

    /// - Parameters:
    ///   - probabilityOfBeingBest: P(best) per arm.
    ///   - trials: Trials per arm so far.
    ///   - live: Which arms may still get traffic (stopped arms get none).
    ///   - minimumShare: The floor for each live arm (e.g. 0.05).
    ///   - burnIn: Trials every live arm needs before the split adapts.
    public init(probabilityOfBeingBest: [Double], trials: [Int], live: [Bool], minimumShare: Double = 0.05, burnIn: Int = 1_000) {
        let liveIndexes = live.indices.filter { live[$0] }
        var shares = [Double](repeating: 0, count: probabilityOfBeingBest.count)
        guard !liveIndexes.isEmpty else {
            self.shares = shares
            adapted = false
            return
        }
        let equal = 1 / Double(liveIndexes.count)
        if liveIndexes.contains(where: { trials[$0] < burnIn }) {
            for index in liveIndexes { shares[index] = equal }
            self.shares = shares
            adapted = false
            return
        }
        let floor = min(minimumShare, equal)
        let mass = liveIndexes.map { probabilityOfBeingBest[$0] }.reduce(0, +)
        for index in liveIndexes {
            shares[index] = mass > 0 ? probabilityOfBeingBest[index] / mass : equal
        }
        // Lift arms below the floor and take the difference from the others in proportion
        // (repeated, since lowering the others can push one of them under the floor).
        var pinned = Set<Int>()
        for _ in 0..<liveIndexes.count {
            let newlyPinned = liveIndexes.filter { !pinned.contains($0) && shares[$0] < floor }
            if newlyPinned.isEmpty { break }
            pinned.formUnion(newlyPinned)
            let free = liveIndexes.filter { !pinned.contains($0) }
            let freeMass = free.map { shares[$0] }.reduce(0, +)
            let remaining = 1 - Double(pinned.count) * floor
            for index in pinned { shares[index] = floor }
            for index in free { shares[index] = freeMass > 0 ? shares[index] / freeMass * remaining : remaining / Double(free.count) }
        }
        self.shares = shares
        adapted = true
    }
}
