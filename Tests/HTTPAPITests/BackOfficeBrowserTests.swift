import AsyncHTTPClient
import EmbeddedPostgres
import Foundation
import HTTPAPI
import HeraldCore
import HeraldTestSupport
import NIOCore
import NIOHTTP1
import Storage
import Testing
import WebApp

/// The back office in a real headless Chromium, driven through chromedriver over W3C WebDriver (plain HTTP and JSON):
/// a person signs in with the form and sees the workspace's campaigns.
///
/// Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`; `.ci/run` installs them).
/// Without them the test prints why and passes without driving a browser.
@Suite struct BackOfficeBrowserTests {
    /// The W3C name of an element reference in WebDriver answers.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    static func locate(_ names: [String]) -> String? {
        names.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A WebDriver session of chromedriver on `port`.
    struct WebDriver {
        let base: String
        var session = ""

        func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            }
            // chromedriver's own page-load timeout is 300 s: a call may take that long on a starved machine (a load of 14
            // once made a navigation outlast 60 s), so this is a bound on a hung driver, not a measure of speed.
            let response = try await TestServer.client.execute(request, timeout: .seconds(330))
            let data = Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            guard response.status.code < 300 else {
                throw TestServer.TestServerError(
                    "WebDriver \(method) \(path) answered \(response.status.code): \(String(decoding: data, as: UTF8.self))"
                )
            }
            return object?["value"]
        }

        func element(_ css: String) async throws -> String {
            let value = try await call(.POST, "/session/\(session)/element", ["using": "css selector", "value": css]) as? [String: Any]
            guard let id = value?[BackOfficeBrowserTests.elementKey] as? String else {
                throw TestServer.TestServerError("no element \(css): \(String(describing: value))")
            }
            return id
        }

        func type(_ text: String, into css: String) async throws {
            _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/value", ["text": text])
        }

        func click(_ css: String) async throws {
            _ = try await call(.POST, "/session/\(session)/element/\(try await element(css))/click", [:])
        }

        /// With `HERALD_SCREENSHOTS_DIR` set, saves the page at laptop and phone widths there as `<name>-laptop.png` and
        /// `<name>-phone.png` (how docs/ got its pictures of the back office).
        func screenshots(_ name: String) async throws {
            guard let folder = ProcessInfo.processInfo.environment["HERALD_SCREENSHOTS_DIR"], !folder.isEmpty else { return }
            for (width, height, label) in [(1280, 800, "laptop"), (390, 844, "phone")] {
                _ = try await call(.POST, "/session/\(session)/window/rect", ["width": width, "height": height])
                guard let base64 = try await call(.GET, "/session/\(session)/screenshot") as? String, let png = Data(base64Encoded: base64) else {
                    throw TestServer.TestServerError("no screenshot of \(name)")
                }
                try png.write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(name)-\(label).png"))
            }
            _ = try await call(.POST, "/session/\(session)/window/rect", ["width": 1280, "height": 900])
        }

        /// The page's address once it is `expected` (a form's navigation may end after its click is answered), or the
        /// last one seen after 300 looks.
        func url(becoming expected: String) async throws -> String {
            var current = ""
            for _ in 0..<300 {
                current = try await call(.GET, "/session/\(session)/url") as? String ?? ""
                if current == expected { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return current
        }

        /// The text of `css` once it is `expected` (after a navigation), or the last one seen after 300 looks.
        func text(_ css: String, becoming expected: String) async throws -> String {
            var current = ""
            for _ in 0..<300 {
                current = (try? await text(css)) ?? ""
                if current == expected { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return current
        }

        func text(_ css: String) async throws -> String {
            try await call(.GET, "/session/\(session)/element/\(try await element(css))/text") as? String ?? ""
        }

        /// How many elements match `css` now.
        func count(_ css: String) async throws -> Int {
            (try await call(.POST, "/session/\(session)/elements", ["using": "css selector", "value": css]) as? [Any])?.count ?? 0
        }

        /// How many elements match `css` once it is `expected` (after a navigation), or the last count after 300 looks.
        func count(_ css: String, becoming expected: Int) async throws -> Int {
            var current = -1
            for _ in 0..<300 {
                current = (try? await count(css)) ?? -1
                if current == expected { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return current
        }

        func open(_ url: String) async throws {
            _ = try await call(.POST, "/session/\(session)/url", ["url": url])
        }

        /// Whether a JavaScript dialog (an `alert` a payload would raise) is open.
        func alertIsOpen() async -> Bool {
            (try? await call(.GET, "/session/\(session)/alert/text")) != nil
        }
    }

    /// Runs `body` with a WebDriver session of a headless Chromium (nil when chromium or chromedriver is missing:
    /// the test then prints why and passes without a browser).
    static func withBrowser(_ body: (WebDriver) async throws -> Void) async throws -> Bool {
        guard let driverPath = locate(["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
            let chromium = locate(["/usr/bin/chromium", "/usr/bin/chromium-browser"])
        else {
            print("BackOfficeBrowserTests: skipped: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
            return false
        }
        let port = try FreePort.find()
        let driverProcess = try ProcessRunner.start(driverPath, ["--port=\(port)"])
        do {
            var driver = WebDriver(base: "http://127.0.0.1:\(port)")
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
                            "unhandledPromptBehavior": "ignore",
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

    @Test func aPersonSignsInWithTheFormAndSeesTheCampaigns() async throws {
        try await BackOfficeTests.live { server in
            try await BackOfficeTests.person(server, "ada@example.com", role: .editor)
            let token = try await server.token(workspace: "acme", role: .editor)
            let campaign = try await server.send(
                .POST,
                "/v1/campaigns",
                token: token,
                json:
                    #"{"name": "Trail spring sale", "slug": "spring", "channels": ["x", "email"], "dry_run": true, "schedule": {"cron": "0 9 * * MON-FRI", "tz": "Europe/Berlin"}, "variants": [{"text": "Trail season is here. 20% off this weekend.", "subject": "Trail season"}, {"text": "Ready for your first ultra? Shop the sale.", "subject": "Your first ultra"}]}"#
            )
            #expect(campaign.status == 201, "\(campaign.text)")
            #expect(try await server.send(.POST, "/v1/campaigns/spring/publish", token: token).status < 300)

            _ = try await Self.withBrowser { driver in
                _ = try await driver.call(.POST, "/session/\(driver.session)/url", ["url": "http://127.0.0.1:\(server.port)/app"])
                // Not signed in: the campaigns page sends the browser to the sign-in form.
                #expect(
                    try await driver.url(becoming: "http://127.0.0.1:\(server.port)/app/login") == "http://127.0.0.1:\(server.port)/app/login"
                )
                try await driver.screenshots("login")
                try await driver.type("ada@example.com", into: "#email")
                try await driver.type(BackOfficeTests.password, into: "#password")
                try await driver.click("main form button[type=submit]")
                #expect(try await driver.url(becoming: "http://127.0.0.1:\(server.port)/app") == "http://127.0.0.1:\(server.port)/app")
                #expect(try await driver.text("main h1", becoming: "Campaigns") == "Campaigns")
                #expect(try await driver.text("main table a") == "Trail spring sale")
                #expect(try await driver.text(".who") == "ada@example.com · editor · acme")
                // The page's own stylesheet applies (the header bar is laid out as flex), and nothing was blocked.
                let display = try await driver.call(
                    .GET,
                    "/session/\(driver.session)/element/\(try await driver.element("header.bar"))/css/display"
                )
                #expect(display as? String == "flex")

                try await driver.screenshots("campaigns")
                try await driver.click("main table a")
                #expect(try await driver.text("main h1", becoming: "Trail spring sale") == "Trail spring sale")
                try await driver.screenshots("campaign")
                try await driver.click(".signout button")
                #expect(
                    try await driver.url(becoming: "http://127.0.0.1:\(server.port)/app/login") == "http://127.0.0.1:\(server.port)/app/login"
                )
            }
        }
    }
}
