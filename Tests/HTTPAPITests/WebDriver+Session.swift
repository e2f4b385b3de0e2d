import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOHTTP1
import Testing

/// More of what the back-office browser tests ask of a page (``BackOfficeBrowserTests/withBrowser(_:)`` starts the
/// session).
extension BackOfficeBrowserTests.WebDriver {
    /// Empties the input `css`, then types `text` into it.
    func replace(_ css: String, with text: String) async throws {
        _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/clear", [:])
        try await type(text, into: css)
    }

    /// The page's HTML as the browser has it now.
    func source() async throws -> String {
        try await call(.GET, "/session/\(session)/source") as? String ?? ""
    }
}
