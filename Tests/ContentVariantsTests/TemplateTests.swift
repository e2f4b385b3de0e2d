import ContentVariants
import Foundation
import HeraldCore
import PropertyBased
import Testing

@Suite struct TemplateTests {
    let values = ["product": "Trailblazer 2", "offer": "20% off", "audience": "trail runners"]

    @Test func rendersSlotsAlternativesAndOptionalParts() throws {
        let template = try Template("{Meet|Say hello to} {{product}}[ for {{audience}}].")
        #expect(template.combinationCount == 4)
        let all = try template.expandAll(values: values)
        #expect(
            Set(all) == [
                "Meet Trailblazer 2.", "Say hello to Trailblazer 2.", "Meet Trailblazer 2 for trail runners.",
                "Say hello to Trailblazer 2 for trail runners.",
            ]
        )
        #expect(template.slotNames == ["audience", "product"])
        #expect(template.requiredSlotNames == ["product"])
    }

    @Test func nestedAlternativesCountWithoutExpanding() throws {
        let template = try Template("{a|b {c|d|e}|} [x{y|z}] {{product}}")
        // choice: 1 + 3 + 1 = 5; optional: 1 + 2 = 3
        #expect(template.combinationCount == 15)
        #expect(Set(try template.expandAll(values: values)).count == 15)
        let huge = try Template(String(repeating: "{a|b|c|d}", count: 40))
        #expect(huge.combinationCount == Int.max)
    }

    @Test func filters() throws {
        let template = try Template("{{product | upper}} {{audience|title}} {{offer | lower}} {{audience | truncate(8)}} {{audience | capitalize}}")
        #expect(try template.render(combination: 0, values: values) == "TRAILBLAZER 2 Trail Runners 20% off trail r… Trail runners")
        #expect(TemplateFilter.truncate(5).apply(to: "abc") == "abc")
        #expect(TemplateFilter.truncate(5).apply(to: "abcdefgh").count == 5)
    }

    @Test func escapesMakeLiteralBraces() throws {
        let template = try Template(#"\{literal\} \[x\] a\|b \\ {{product}} | bar"#)
        #expect(try template.render(combination: 0, values: values) == #"{literal} [x] a|b \ Trailblazer 2 | bar"#)
        #expect(template.combinationCount == 1)
    }

    @Test func groupStartingWithAGroupNeedsASpace() throws {
        let template = try Template("{ {a|b}|c}")
        #expect(Set(try template.expandAll(values: values)) == [" a", " b", "c"])
    }

    @Test func tripleBraceOpensAGroupStartingWithASlot() throws {
        let template = try Template("{{{product}}|something else}")
        #expect(Set(try template.expandAll(values: values)) == ["Trailblazer 2", "something else"])
    }

    @Test func optionalPartWithMissingValueIsLeftOut() throws {
        let template = try Template("Hi[ {{nobody}}]!")
        #expect(Set(try template.expandAll(values: values)) == ["Hi!"])
        #expect(throws: TemplateRenderError.self) { try Template("{{nobody}}").render(combination: 0, values: values) }
    }

    @Test(arguments: [
        ("Hello {{product", 1, 16, "'}}' to close the slot opened at line 1, column 7", "end of template"),
        ("line one\n{a|b", 2, 5, "'|' or '}' to close the alternatives opened at line 2, column 1", "end of template"),
        ("x [y", 1, 5, "']' to close the optional part opened at line 1, column 3", "end of template"),
        ("oops }", 1, 6, "text, a slot or a group (write \\} for a literal brace)", "'}'"),
        ("{{ 9lives }}", 1, 4, "a slot name (letters, digits and _, starting with a letter)", "'9'"),
        ("{{product | shout}}", 1, 13, "a filter (upper, lower, capitalize, title, truncate(n))", "'shout'"),
        ("{{product | truncate(0)}}", 1, 22, "a whole number from 1 to 100000 in truncate(n)", "')'"),
        ("a\n  b \\q", 2, 6, "one of { } [ ] | \\ after '\\' (other characters need no escape)", "'q'"),
    ])
    func parseErrorsGiveLineColumnAndExpectation(source: String, line: Int, column: Int, expected: String, found: String) {
        do {
            _ = try Template(source)
            Issue.record("\(source) parsed")
        } catch {
            #expect(error.line == line)
            #expect(error.column == column)
            #expect(error.expected == expected)
            #expect(error.found == found)
            #expect(error.description.hasPrefix("line \(line), column \(column): expected"))
        }
    }

    @Test func samplesWithoutRepeats() throws {
        let template = try Template("{a|b|c|d}{1|2|3}{x|y}")
        var random = SplitMix64(seed: 3)
        let sample = try template.sample(10, values: [:], using: &random)
        #expect(sample.count == 10)
        #expect(Set(sample).count == 10)
        let all = try template.sample(100, values: [:], using: &random)
        #expect(all.count == 24 && Set(all).count == 24)
        var again = SplitMix64(seed: 3)
        #expect(try template.sample(10, values: [:], using: &again) == sample)
    }

    /// Builds a random well-formed template from a seed.
    static func randomTemplate(_ seed: Int) -> String {
        var random = SplitMix64(seed: UInt64(seed))
        func text() -> String {
            let words = ["sale", "now", "trail", "shoes", "a", "b", " ", ", ", "!", "?", "é", "🎉", "20%"]
            return (0..<Int.random(in: 0...3, using: &random)).map { _ in words.randomElement(using: &random) ?? "" }.joined()
        }
        func sequence(_ depth: Int) -> String {
            var out = ""
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                switch Int.random(in: 0...(depth > 2 ? 1 : 4), using: &random) {
                case 0: out += text()
                case 1:
                    out +=
                        ["{{product}}", "{{offer | upper}}", "{{audience|truncate(5)}}", "{{ product | title }}"].randomElement(using: &random) ?? ""
                case 2, 3:
                    let inner = (0..<Int.random(in: 1...3, using: &random)).map { _ in sequence(depth + 1) }.joined(separator: "|")
                    // `{{` opens a slot, so a group cannot start right away with a nested group.
                    out += "{" + (inner.hasPrefix("{") && !inner.hasPrefix("{{") ? "a" + inner : inner) + "}"
                default: out += "[" + sequence(depth + 1) + "]"
                }
            }
            return out
        }
        return sequence(0)
    }

    @Test func everyTemplateThatParsesRendersWithoutLeftoverMarkers() async throws {
        await propertyCheck(count: 300, input: Gen.int(in: 0...1_000_000)) { seed in
            let source = Self.randomTemplate(seed)
            let template = try Template(source)
            var random = SplitMix64(seed: UInt64(seed))
            let values = ["product": "Trailblazer", "offer": "20% off", "audience": "runners"]
            let rendered = try template.sample(5, values: values, using: &random)
            #expect(rendered.count == min(5, template.combinationCount))
            for text in rendered {
                #expect(!text.contains(where: { "{}[]|".contains($0) }), "\(source) → \(text)")
            }
        }
    }

    @Test func arbitraryTextParsesOrFailsAtAPlaceInsideIt() async {
        let alphabet: [Character] = ["{", "}", "[", "]", "|", "\\", "a", " ", "\n", "(", ")", "1"]
        await propertyCheck(count: 400, input: Gen.int(in: 0...(alphabet.count - 1)).map { alphabet[$0] }.string(of: 0...24)) { source in
            do {
                let template = try Template(source)
                #expect(template.combinationCount >= 1)
            } catch let error as TemplateParseError {
                let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(error.line >= 1 && error.line <= lines.count, "\(source.debugDescription): \(error)")
                #expect(error.column >= 1 && error.column <= lines[error.line - 1].count + 1, "\(source.debugDescription): \(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
