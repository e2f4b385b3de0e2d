import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HeraldTestSupport
import NIOHTTP1
import Testing

extension BackOfficeBrowserTests.WebDriver {
    /// Runs `body` with a headless Chromium session of a chromedriver started for it, and ends both after; answers
    /// false without running it when chromium or chromedriver is not installed (the caller says so and passes).
    static func withSession(_ body: (BackOfficeBrowserTests.WebDriver) async throws -> Void) async throws -> Bool {
        guard let driverPath = BackOfficeBrowserTests.locate(["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
            let chromium = BackOfficeBrowserTests.locate(["/usr/bin/chromium", "/usr/bin/chromium-browser"])
        else { return false }
        let port = try FreePort.find()
        let driverProcess = try ProcessRunner.start(driverPath, ["--port=\(port)"])
        do {
            var driver = BackOfficeBrowserTests.WebDriver(base: "http://127.0.0.1:\(port)")
            // Wait until chromedriver answers (bounded: at most 600 tries, a minute or more).
            for _ in 0..<600 {
                if (try? await driver.call(.GET, "/status")) != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let created = try await driver.call(
                .POST,
                "/session",
                [
                    "capabilities": [
                        "alwaysMatch": [
                            "browserName": "chrome",
                            "goog:chromeOptions": [
                                "binary": chromium,
                                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"],
                            ],
                        ]
                    ]
                ]
            )
            driver.session = try #require((created as? [String: Any])?["sessionId"] as? String)
            do {
                try await body(driver)
            } catch {
                _ = try? await driver.call(.DELETE, "/session/\(driver.session)")
                throw error
            }
            _ = try await driver.call(.DELETE, "/session/\(driver.session)")
        } catch {
            driverProcess.signal(SIGTERM)
            _ = await driverProcess.wait()
            throw error
        }
        driverProcess.signal(SIGTERM)
        _ = await driverProcess.wait()
        return true
    }

    /// Opens `url`.
    func open(_ url: String) async throws {
        _ = try await call(.POST, "/session/\(session)/url", ["url": url])
    }

    /// Empties the input `css`, then types `text` into it.
    func replace(_ css: String, with text: String) async throws {
        _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/clear", [:])
        try await type(text, into: css)
    }

    /// The page's HTML as the browser has it now.
    func source() async throws -> String {
        try await call(.GET, "/session/\(session)/source") as? String ?? ""
    }

    /// Whether a script dialog (an `alert` a hostile payload would open) is showing.
    func hasAlert() async throws -> Bool {
        (try? await call(.GET, "/session/\(session)/alert/text")) != nil
    }
}
