// libFuzzer target: the CSV row reader behind `herald import events` (`CSVReader`, `EventCSV`).
import Foundation
import HeraldCore

let policy = EventAcceptancePolicy(now: Date(timeIntervalSince1970: 1_780_000_000))

/// Reads the input as CSV records, then as an events file in chunks: either events or errors, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    var reader = CSVReader(bytes: bytes)
    var lastLine = 0
    while true {
        guard let record = try? reader.next() else { break }
        precondition(record.line > lastLine, "record lines do not increase: \(record.line) after \(lastLine)")
        lastLine = record.line
        precondition((0...1).contains(reader.progress), "progress \(reader.progress)")
    }
    guard var events = try? EventCSV.Reader(bytes: bytes, source: "fuzz.csv", policy: policy, isKnownVariant: { _ in true }) else { return 0 }
    var total = 0
    while true {
        guard let chunk = try? events.next(upTo: 7) else { break }
        precondition(chunk.count <= 7, "a chunk of \(chunk.count) rows for a limit of 7")
        total += chunk.count
        if total > count { fatalError("\(total) events from \(count) bytes") }
    }
    return 0
}
