import Foundation
import HeraldCore

#if canImport(Glibc)
import Glibc
#endif

/// Writing to the terminal: results to standard output, diagnostics and progress to standard error.
enum Terminal {
    /// Whether standard error is a terminal (progress bars only then).
    static var isInteractive: Bool { isatty(2) == 1 }

    /// Writes a line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Redraws a progress bar on standard error, when it is a terminal.
    static func progress(_ label: String, _ fraction: Double) {
        guard isInteractive else { return }
        let width = 30
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let text = "\r\(label) \(bar) \(String(format: "%3.0f%%", fraction * 100))"
        FileHandle.standardError.write(Data(text.utf8))
        if fraction >= 1 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// Formats 1234567 as 1,234,567.
    static func grouped(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// Encodes a value as JSON for `--json` output, as the HTTP API does (``JSONEncoder/herald(pretty:)``).
    static func json(_ value: some Encodable, pretty: Bool = true) throws -> String {
        String(decoding: try JSONEncoder.herald(pretty: pretty).encode(value), as: UTF8.self)
    }
}
