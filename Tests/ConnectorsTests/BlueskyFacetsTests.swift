import Connectors
import Foundation
import PropertyBased
import Testing

@Suite("Bluesky facets")
struct BlueskyFacetsTests {
    @Test("the docs' example: a link's byte range is inclusive at the start, exclusive at the end")
    func docsExample() {
        let facets = BlueskyFacets.facets(in: "Go to https://example.com now")
        #expect(facets == [BlueskyFacet(byteStart: 6, byteEnd: 25, features: [.link(uri: "https://example.com")])])
    }

    @Test("offsets count UTF-8 bytes, not characters or UTF-16 units")
    func multibyteOffsets() throws {
        let text = "café 👨‍👩‍👧‍👧 #日本語 https://ex.com/ü?q=🙂 @alice.test"
        let facets = BlueskyFacets.facets(in: text, dids: ["alice.test": "did:plc:alice"])
        #expect(facets.count == 3)
        #expect(facets[0].slice(of: text) == "#日本語")
        #expect(facets[0].features == [.tag("日本語")])
        #expect(facets[0].index.byteStart == "café 👨‍👩‍👧‍👧 ".utf8.count)
        #expect(facets[1].slice(of: text) == "https://ex.com/ü?q=🙂")
        #expect(facets[2].slice(of: text) == "@alice.test")
        #expect(facets[2].features == [.mention(did: "did:plc:alice")])
    }

    @Test("trailing punctuation is left out of links and tags")
    func trailingPunctuation() {
        let text = "See https://herald.test/r/abc. And (https://x.test/a) or #launch!! #2024 #v2, #ü"
        let spans = BlueskyFacets.spans(in: text)
        #expect(
            spans.map(\.kind) == [.link(uri: "https://herald.test/r/abc"), .link(uri: "https://x.test/a"), .tag("launch"), .tag("v2"), .tag("ü")]
        )
        let facets = BlueskyFacets.facets(in: text)
        #expect(facets.compactMap { $0.slice(of: text) } == ["https://herald.test/r/abc", "https://x.test/a", "#launch", "#v2", "#ü"])
    }

    @Test("hashtags need a space before them and a character that is not a digit; URLs' fragments are not tags")
    func tagRules() {
        #expect(
            BlueskyFacets.spans(in: "a#b #123 #1a https://x.test/docs#install").map(\.kind) == [
                .tag("1a"), .link(uri: "https://x.test/docs#install"),
            ]
        )
        #expect(BlueskyFacets.spans(in: "#\u{FE0F}⃣ #").isEmpty)
        #expect(BlueskyFacets.spans(in: "#" + String(repeating: "a", count: 65)).isEmpty)
        #expect(BlueskyFacets.spans(in: "＃full").map(\.kind) == [.tag("full")])
    }

    @Test("a mention needs a valid handle; one that does not resolve stays plain text")
    func mentions() {
        let text = "hi @alice.test, @bob.example and @nohandle, mail me@x.test or @-bad.test"
        let spans = BlueskyFacets.spans(in: text)
        #expect(spans.map(\.kind) == [.mention(handle: "alice.test"), .mention(handle: "bob.example")])
        #expect(BlueskyFacets.mentionedHandles(in: spans) == ["alice.test", "bob.example"])
        let facets = BlueskyFacets.facets(for: spans, dids: ["alice.test": "did:plc:a"])
        #expect(facets.count == 1)
        #expect(facets[0].slice(of: text) == "@alice.test")
        #expect(BlueskyFacets.isValidHandle("alice.bsky.social"))
        #expect(!BlueskyFacets.isValidHandle("alice"))
        #expect(!BlueskyFacets.isValidHandle("alice.1com"))
    }

    @Test("facets encode as the lexicon says")
    func encoding() throws {
        let facet = BlueskyFacet(byteStart: 1, byteEnd: 5, features: [.tag("tag")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(facet), as: UTF8.self)
        #expect(json == #"{"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"tag"}],"index":{"byteEnd":5,"byteStart":1}}"#)
        #expect(try JSONDecoder().decode(BlueskyFacet.self, from: Data(json.utf8)) == facet)
    }

    // Pieces a generated text is made of: plain words (many multibyte), and links, tags and a mention with what they
    // must turn into.
    static let plain = ["café", "🙂", "👨‍👩‍👧‍👧", "日本語", "naïve", "Ελληνικά", "x", "42", "—", "🏳️‍🌈", "e\u{301}", "ok!", "(", "#", "@", "#123"]
    static let marked: [(String, BlueskyFacet.Feature)] = [
        ("https://example.com/ü?q=🙂", .link(uri: "https://example.com/ü?q=🙂")),
        ("http://ex.org/path", .link(uri: "http://ex.org/path")),
        ("https://herald.test/r/AbC123", .link(uri: "https://herald.test/r/AbC123")),
        ("#tag", .tag("tag")),
        ("#日本語", .tag("日本語")),
        ("#café", .tag("café")),
        ("#🙂emoji", .tag("🙂emoji")),
        ("@alice.test", .mention(did: "did:plc:alice")),
    ]
    static let separators = [" ", "\n", "  ", " \u{3000} ", "\t"]

    @Test("for any text of multibyte words, links, tags and mentions, each facet's bytes slice exactly its text")
    func propertySlicesAreExact() async {
        let pieces = Self.plain.count + Self.marked.count
        await propertyCheck(count: 300, input: Gen.int(in: 0...(pieces * Self.separators.count - 1)).array(of: 0...14)) { choices in
            var text = ""
            var expected: [(String, BlueskyFacet.Feature)] = []
            for (position, choice) in choices.enumerated() {
                if position > 0 { text += Self.separators[choice % Self.separators.count] }
                let piece = choice / Self.separators.count
                if piece < Self.plain.count {
                    text += Self.plain[piece]
                } else {
                    let (marked, feature) = Self.marked[piece - Self.plain.count]
                    text += marked
                    expected.append((marked, feature))
                }
            }
            let facets = BlueskyFacets.facets(in: text, dids: ["alice.test": "did:plc:alice"])
            #expect(facets.count == expected.count, "\(text.debugDescription)")
            for (facet, (marked, feature)) in zip(facets, expected) {
                #expect(facet.slice(of: text) == marked, "\(text.debugDescription)")
                #expect(facet.features == [feature], "\(text.debugDescription)")
            }
        }
    }

    @Test("for any text, facets are sorted, do not overlap, and fall on character boundaries")
    func propertyWellFormed() async {
        let alphabet: [Character] = [
            "#", "@", "h", "t", "p", "s", ":", "/", ".", " ", "a", "1", "🙂", "é", "日", "(", ")", "!", "\u{200B}", "\n", "＃", "-",
        ]
        await propertyCheck(count: 400, input: Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }.string(of: 0...40)) { body in
            // Seed some schemes so links appear often.
            let text = body.replacingOccurrences(of: "hh", with: " https://")
            let facets = BlueskyFacets.facets(in: text, dids: ["a.test": "did:plc:a"])
            var end = 0
            for facet in facets {
                #expect(facet.index.byteStart >= end, "\(text.debugDescription)")
                #expect(facet.index.byteEnd > facet.index.byteStart, "\(text.debugDescription)")
                end = facet.index.byteEnd
                let slice = facet.slice(of: text)
                #expect(slice != nil, "\(text.debugDescription)")
                switch facet.features.first {
                case .link(let uri): #expect(slice == uri)
                case .tag(let tag): #expect(slice == "#" + tag || slice == "＃" + tag)
                case .mention: #expect(slice?.hasPrefix("@") == true)
                case nil: Issue.record("a facet without a feature")
                }
            }
        }
    }
}
