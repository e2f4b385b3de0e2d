import Synchronization

extension GroupSequentialDesign {
    /// Boundaries already computed, per design: the looks' information times, α and the spending function.
    ///
    /// A daily analysis scores the same design again and again (and each p-value tries the same α values for
    /// every arm), so the recursion runs once per design and α. Bounded: when full it starts again empty.
    final class BoundaryCache: Sendable {
        struct Key: Hashable {
            var fractions: [Double]
            var alpha: Double
            var spending: Spending
            /// Lattice points per step deviation (``BoundaryRecursion/boundaries(fractions:alpha:spending:resolution:)``).
            var resolution: Double
        }

        /// Designs kept before the cache is emptied.
        let capacity: Int
        private let entries = Mutex<[Key: ([Double], BoundaryRecursion.LastLook)]>([:])

        init(capacity: Int) {
            self.capacity = capacity
        }

        /// The cached boundaries for `key`, computing and keeping them when absent.
        func boundaries(for key: Key) -> ([Double], BoundaryRecursion.LastLook) {
            if let found = entries.withLock({ $0[key] }) { return found }
            // Computed outside the lock: two callers may both compute one design, and keep the same answer.
            let computed = BoundaryRecursion.boundaries(
                fractions: key.fractions,
                alpha: key.alpha,
                spending: key.spending,
                resolution: key.resolution
            )
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
                entries[key] = computed
            }
            return computed
        }
    }

    /// The one cache the scorer's designs share.
    static let cache = BoundaryCache(capacity: 128)

    /// ``BoundaryRecursion/boundaries(fractions:alpha:spending:resolution:)`` through ``cache``.
    static func cachedBoundaries(
        fractions: [Double],
        alpha: Double,
        spending: Spending,
        resolution: Double = 8
    ) -> ([Double], BoundaryRecursion.LastLook) {
        cache.boundaries(for: BoundaryCache.Key(fractions: fractions, alpha: alpha, spending: spending, resolution: resolution))
    }
}
