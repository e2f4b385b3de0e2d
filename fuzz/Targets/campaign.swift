// libFuzzer target: the campaign file parser behind `herald campaigns create FILE` (`CampaignSpec(parsing:source:)`,
// YAML or JSON through Yams).
import Foundation
import HeraldCore

/// Parses the input as a campaign file: a spec or a `ValidationError`, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let spec = try? CampaignSpec(parsing: text, source: "fuzz.yaml") else { return 0 }
    precondition(!spec.variants.isEmpty, "a spec with no variants from \(text.debugDescription)")
    return 0
}
