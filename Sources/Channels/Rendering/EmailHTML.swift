import Foundation
import HeraldCore

/// The HTML part of an email: the body's paragraphs (escaped), its links as anchors, a hidden preheader, and the
/// open pixel last. Self-contained: no external style sheet or script.
enum EmailHTML {
    static func document(body: String, preheader: String, pixel: String?) -> String {
        var html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
        if !preheader.isEmpty {
            html += "<div style=\"display:none;max-height:0;overflow:hidden\">\(HTMLEscaping.escape(preheader))</div>"
        }
        let paragraphs = body.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        for paragraph in paragraphs where !paragraph.isEmpty {
            html +=
                "<p>"
                + paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    anchored(String(line))
                }.joined(separator: "<br>") + "</p>"
        }
        if let pixel {
            html += "<img src=\"\(HTMLEscaping.escape(pixel))\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">"
        }
        return html + "</body></html>"
    }

    /// A line with its links as anchors and everything else escaped.
    static func anchored(_ line: String) -> String {
        var html = ""
        var rest = line[...]
        for range in TextScanner.links(in: line) {
            html += HTMLEscaping.escape(String(line[rest.startIndex..<range.lowerBound]))
            let url = HTMLEscaping.escape(String(line[range]))
            html += "<a href=\"\(url)\">\(url)</a>"
            rest = line[range.upperBound...]
        }
        return html + HTMLEscaping.escape(String(rest))
    }
}
