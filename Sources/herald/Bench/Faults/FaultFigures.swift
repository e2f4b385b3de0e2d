import Foundation
import Synchronization

/// What one fault scenario measured: the faults injected, what was checked, what was lost or doubled, the 5xx answers
/// seen during the faults (each must be 0), and its own figures (recovery times, p99s, rates).
struct FaultFigures: Sendable {
    var scenario: String
    var faults = 0
    var checked = 0
    var losses = 0
    var duplicates = 0
    var serverErrors = 0
    /// Named figures, in the order they were measured.
    var figures: [(String, Double)] = []
    /// Problems found beyond the counts (a timeout, a missing Retry-After).
    var problems: [String] = []

    init(_ scenario: String) {
        self.scenario = scenario
    }

    mutating func record(_ name: String, _ value: Double) {
        figures.append((name, (value * 100).rounded() / 100))
    }

    var passed: Bool { losses == 0 && duplicates == 0 && serverErrors == 0 && problems.isEmpty }
}

/// Percentiles of measured values.
enum Percentile {
    /// The `fraction` percentile (nearest rank) of `values`; 0 when empty.
    static func of(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// A value shared by the tasks of a scenario.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<Result>(_ body: (inout sending Value) -> sending Result) -> Result {
        mutex.withLock { body(&$0) }
    }

    var value: Value { mutex.withLock { $0 } }
}
