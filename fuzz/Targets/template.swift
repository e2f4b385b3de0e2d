// libFuzzer target: the content template parser (`Template(_:)`) and rendering what parses.
import ContentVariants
import Foundation

let values = ["product": "Trail shoes", "audience": "runners", "offer": "20% off", "name": "Ada"]

/// A small deterministic generator, so a crash replays the same way.
struct Sequence64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parses the input as a template; one that parses renders its first, last and a few sampled combinations.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let template = try? Template(text) else { return 0 }
    let total = template.combinationCount
    precondition(total >= 1, "\"\(text)\" has \(total) combinations")
    _ = try? template.render(combination: 0, values: values)
    _ = try? template.render(combination: total - 1, values: values)
    _ = try? template.render(combination: total, values: values)
    var random = Sequence64(state: UInt64(count))
    _ = try? template.sample(4, values: values, using: &random)
    _ = try? template.render(combination: 0, values: [:])
    _ = template.description
    return 0
}
