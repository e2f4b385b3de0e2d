// libFuzzer target: the event JSON reader behind `POST /v1/events` (`EventJSON`, with its fast `FlatEventReader`).
import Foundation

@testable import HeraldCore

let policy = EventAcceptancePolicy(now: Date(timeIntervalSince1970: 1_780_000_000))

/// Reads the input as an events body. The fast reader, when it takes a body, must give exactly the rows the general
/// `JSONDecoder` path gives (its documented promise); then the rows are checked into events or errors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    if String(validating: bytes, as: UTF8.self) != nil, let fast = FlatEventReader.rows(bytes),
        let first = bytes.first(where: { !EventJSON.isWhitespace($0) })
    {
        let general = try? EventJSON.decodedRows(from: bytes, first: first, maximumRows: Int.max)
        if general != fast {
            fatalError("the fast reader and JSONDecoder disagree on \(String(decoding: bytes, as: UTF8.self).debugDescription):\n\(fast)\n\(String(describing: general))")
        }
    }
    guard let rows = try? EventJSON.rows(from: bytes, maximumRows: 500) else { return 0 }
    precondition(rows.count <= 500, "\(rows.count) rows past the maximum")
    _ = EventJSON.variantIDs(in: rows)
    _ = EventJSON.publicationIDs(in: rows)
    _ = try? EventJSON.events(rows, policy: policy, isKnownVariant: { _ in true })
    return 0
}
