import Analytics
import Foundation
import HeraldCore
import Testing

@testable import Reports

struct HTMLRendererTests {
    /// The tag names a report page may contain: no script, image, frame, link, form or object.
    static let allowedTags: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "div", "p", "h1", "h2", "h3", "span",
        "strong", "code", "ol", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "blockquote", "a",
        "svg", "g", "defs", "clippath", "lineargradient", "stop", "rect", "line", "path", "text", "circle",
    ]

    /// Every tag name opened in `html`, lowercased.
    static func tags(_ html: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "<([a-zA-Z][a-zA-Z0-9]*)")
        let range = NSRange(html.startIndex..., in: html)
        return Set(regex.matches(in: html, range: range).map { (html as NSString).substring(with: $0.range(at: 1)).lowercased() })
    }

    @Test func userTextShowsAsTextAndNothingElse() throws {
        let hostileName = "Spring \"sale\" <b>now</b> & 'more'"
        let html = HTMLRenderer.render(try ReportFixture.model(bText: ReportFixture.hostile, name: hostileName))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains("<h1>Spring &quot;sale&quot; &lt;b&gt;now&lt;/b&gt; &amp; &#39;more&#39;</h1>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<img"))
        let unexpected = Self.tags(html).subtracting(Self.allowedTags)
        #expect(unexpected.isEmpty, "unexpected tags \(unexpected)")
        #expect(!html.contains("<b>"))
    }

    @Test func isSelfContainedAndLocksOutScript() throws {
        let html = HTMLRenderer.render(try ReportFixture.model())
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("@media print"))
        // No outside resource: the only URL is the SVG namespace.
        let urls = html.components(separatedBy: "://").dropFirst().map { String($0.prefix(20)) }
        #expect(urls.allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") }, "\(urls)")
        #expect(!html.contains(" src=\""))
    }

    @Test func drawsEveryChartWithAxesAndLegends() throws {
        let html = HTMLRenderer.render(try ReportFixture.model())
        for chart in ["cumulative-rate", "probability-best", "posterior-density", "traffic-allocation", "send-time-heatmap", "feature-effects"] {
            #expect(html.contains("data-chart=\"\(chart)\""), "missing \(chart)")
        }
        #expect(html.components(separatedBy: "class=\"axis-title\"").count > 8)
        #expect(html.components(separatedBy: "<ul class=\"legend\">").count - 1 == 5)
        // Okabe–Ito colours for the three variants.
        for colour in ["#0072B2", "#E69F00", "#009E73"] { #expect(html.contains(colour)) }
        #expect(!html.contains("nan") && !html.contains("inf\""))
    }

    @Test func leadsWithTheVerdictAndItsReason() throws {
        let report = try ReportFixture.model()
        #expect(report.headline.verdict == .winner)
        #expect(report.headline.text.hasPrefix("B wins: +"))
        #expect(report.headline.text.contains("clicks vs A"))
        #expect(report.headline.text.hasSuffix("— declare B the winner."))
        let html = HTMLRenderer.render(report)
        #expect(html.contains("<p class=\"headline\">\(HTMLEscaping.escape(report.headline.text))</p>"))
        #expect(html.contains("Declare winner"))
    }

    @Test func saysSoWhenThereIsNoDataYet() throws {
        var report = try ReportFixture.model()
        report = ReportModel(
            campaign: ReportFixture.campaign(),
            score: try Analytics.Scorer.score(
                .init(arms: [
                    .init(id: "A", trials: 0, successes: 0), .init(id: "B", trials: 0, successes: 0), .init(id: "C", trials: 0, successes: 0),
                ])
            ),
            alpha: 0.05,
            days: [],
            generatedAt: report.generatedAt
        )
        #expect(report.headline.verdict == .noData)
        let html = HTMLRenderer.render(report)
        #expect(html.contains("No impressions yet"))
        #expect(html.contains("class=\"empty\""))
    }

    @Test func escapesEveryMarkupCharacter() {
        #expect(HTMLEscaping.escape("<a href='x'>\"&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
        #expect(HTMLEscaping.escape("ok\u{0}") == "ok\u{FFFD}")
    }
}
