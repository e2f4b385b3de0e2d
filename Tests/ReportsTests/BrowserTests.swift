import Foundation
import Testing

@testable import Reports

#if canImport(Glibc)
import Glibc
#endif

/// Opens the HTML report in headless Chromium: screenshots at laptop and phone widths, the charts
/// in the rendered DOM, no console message at all, and a hostile variant text that never runs.
///
/// Needs the `chromium` program (Debian: `apt-get install chromium`; `.ci/run` installs it). Without
/// it the test fails and says so, unless `HERALD_SKIP_BROWSER_TESTS=1` skips it explicitly.
/// With `HERALD_REPORT_ARTIFACTS=<dir>` the page and screenshots are kept there.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["HERALD_SKIP_BROWSER_TESTS"] != "1", "HERALD_SKIP_BROWSER_TESTS=1"))
struct BrowserTests {
    static let charts = ["cumulative-rate", "probability-best", "posterior-density", "traffic-allocation", "send-time-heatmap", "feature-effects"]

    @Test func reportRendersInChromiumWithChartsAndNoConsoleErrors() throws {
        guard let browser = try Chromium.locate() else { return }
        let folder = try Chromium.workFolder()
        defer { Chromium.removeWorkFolder(folder) }
        let page = folder.appendingPathComponent("report.html")
        try Data(HTMLRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile, name: "Spring <i>sale</i>")).utf8).write(to: page)

        let dom = try browser.run(["--dump-dom", page.absoluteString], in: folder)
        #expect(dom.consoleMessages.isEmpty, "console: \(dom.consoleMessages)")
        for chart in Self.charts {
            #expect(dom.output.contains("data-chart=\"\(chart)\""), "chart \(chart) is not in the rendered page")
        }
        // The hostile text is a text node: serialised escaped, and no element came from it.
        #expect(dom.output.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(!dom.output.lowercased().contains("<img"))
        #expect(!dom.output.lowercased().contains("<script"))
        #expect(!dom.output.contains("<i>sale</i>"))

        for (name, size) in [("laptop", "1280,3400"), ("phone", "390,7200")] {
            let png = folder.appendingPathComponent("report-\(name).png")
            let shot = try browser.run(["--screenshot=\(png.path)", "--window-size=\(size)", "--hide-scrollbars", page.absoluteString], in: folder)
            #expect(shot.consoleMessages.isEmpty, "console: \(shot.consoleMessages)")
            let image = try Data(contentsOf: png)
            #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) screenshot is not a PNG")
            #expect(image.count > 30_000, "\(name) screenshot is suspiciously small (\(image.count) bytes): blank page?")
            if let width = Chromium.pngWidth(image) {
                #expect(width == Int(size.split(separator: ",")[0])!)
            }
        }
    }

    /// Escaping alone keeps the text inert: with the page's CSP removed and alert() and errors
    /// reported to the console by a probe, still nothing runs and nothing is logged.
    @Test func hostileTextNeverRunsEvenWithoutTheContentSecurityPolicy() throws {
        guard let browser = try Chromium.locate() else { return }
        let folder = try Chromium.workFolder()
        defer { Chromium.removeWorkFolder(folder) }
        var html = HTMLRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile, name: ReportFixture.hostile))
        let policy = "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLRenderer.contentSecurityPolicy)\">"
        #expect(html.contains(policy))
        let probe = """
            <script>
            window.alert = window.confirm = window.prompt = function (m) { console.error("dialog opened: " + m); };
            window.addEventListener("error", function (e) { console.error("error: " + (e.message || e.target)); }, true);
            </script>
            """
        html = html.replacingOccurrences(of: policy, with: probe)
        let page = folder.appendingPathComponent("unguarded.html")
        try Data(html.utf8).write(to: page)
        let result = try browser.run(["--dump-dom", page.absoluteString], in: folder)
        #expect(result.consoleMessages.isEmpty, "console: \(result.consoleMessages)")
        #expect(!result.output.lowercased().contains("<img"))

        // And the probe works: an unescaped copy of the same text does trip it.
        let control = folder.appendingPathComponent("control.html")
        try Data("<!doctype html><html><head>\(probe)</head><body>\(ReportFixture.hostile)</body></html>".utf8).write(to: control)
        let tripped = try browser.run(["--dump-dom", control.absoluteString], in: folder)
        #expect(tripped.consoleMessages.contains { $0.contains("dialog opened: 1") }, "probe did not see alert(1): \(tripped.consoleMessages)")
    }
}

/// Runs headless Chromium as a command-line program.
struct Chromium {
    let executable: URL

    /// What one run printed: the program's standard output and the page's console messages.
    struct Run {
        var output: String
        var consoleMessages: [String]
    }

    /// The browser, or nil after recording an issue that says what to install.
    ///
    /// When it is missing and the tests run as root on Debian or Ubuntu, it is installed first (as
    /// `.ci/run` does), so `swift test` on a fresh machine needs nothing installed by hand.
    static func locate() throws -> Chromium? {
        if let found = find() { return found }
        if installedByTests, let found = find() { return found }
        Issue.record(
            """
            Headless Chromium is needed to test the HTML report and was not found on PATH (chromium, chromium-browser, google-chrome). \
            Install it (Debian/Ubuntu: apt-get install -y --no-install-recommends chromium), point HERALD_CHROMIUM at it, \
            or set HERALD_SKIP_BROWSER_TESTS=1 to skip this test explicitly.
            """
        )
        return nil
    }

    /// Installs Chromium with apt-get once per test process, when running as root; whether it ran and succeeded.
    static let installedByTests: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get") else { return false }
        for arguments in [["update"], ["install", "-y", "--no-install-recommends", "chromium"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/apt-get")
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["DEBIAN_FRONTEND": "noninteractive"]) { _, new in new }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return false }
        }
        return true
    }()

    /// The browser on PATH (or `HERALD_CHROMIUM`), if any.
    static func find() -> Chromium? {
        let environment = ProcessInfo.processInfo.environment
        var candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        if let override = environment["HERALD_CHROMIUM"], !override.isEmpty { candidates.insert(override, at: 0) }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for candidate in candidates {
            if candidate.contains("/") {
                if FileManager.default.isExecutableFile(atPath: candidate) { return Chromium(executable: URL(fileURLWithPath: candidate)) }
                continue
            }
            for folder in path where FileManager.default.isExecutableFile(atPath: "\(folder)/\(candidate)") {
                return Chromium(executable: URL(fileURLWithPath: "\(folder)/\(candidate)"))
            }
        }
        return nil
    }

    /// A fresh folder for one test's files (kept under `HERALD_REPORT_ARTIFACTS` when set).
    static func workFolder() throws -> URL {
        let base =
            ProcessInfo.processInfo.environment["HERALD_REPORT_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("herald-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return base
    }

    /// Removes a test's folder unless it is kept under `HERALD_REPORT_ARTIFACTS`.
    static func removeWorkFolder(_ folder: URL) {
        guard ProcessInfo.processInfo.environment["HERALD_REPORT_ARTIFACTS"] == nil else { return }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs the browser headless with `arguments`, capturing console messages from its log.
    ///
    /// Runs as a child process and waits for it: this test is synchronous and owns its thread.
    func run(_ arguments: [String], in folder: URL) throws -> Run {
        let profile = folder.appendingPathComponent("profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = executable
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000",
            ] + arguments
        let output = folder.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errors = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("chromium did not finish within 90 s: \(arguments)")
        }
        process.waitUntilExit()
        let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        let console = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        if process.terminationStatus != 0 {
            Issue.record("chromium exited with \(process.terminationStatus): \(log.suffix(2_000))")
        }
        return Run(output: (try? String(contentsOf: output, encoding: .utf8)) ?? "", consoleMessages: console)
    }

    /// The width in the IHDR chunk of a PNG.
    static func pngWidth(_ data: Data) -> Int? {
        guard data.count > 24 else { return nil }
        let bytes = [UInt8](data[16..<20])
        return bytes.reduce(0) { $0 << 8 | Int($1) }
    }
}
