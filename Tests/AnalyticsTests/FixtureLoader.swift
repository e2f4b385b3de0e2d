import Foundation
import Testing

/// Reads a JSON fixture made by `Fixtures/make_fixtures.py`.
func loadFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// Whether `actual` is within `relative` of `expected` (or within `absolute` near zero).
func isClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double = 1e-300) -> Bool {
    abs(actual - expected) <= max(relative * abs(expected), absolute)
}
