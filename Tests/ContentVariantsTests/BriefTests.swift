import ContentVariants
import HeraldCore
import Testing

@Suite struct BriefTests {
    @Test func parsesYAMLAndJSON() throws {
        let brief = Fixtures.brief
        #expect(brief.product == "Trailblazer 2 trail shoes")
        #expect(brief.hashtags == ["trailrunning", "ultrarunning", "runhappy"])
        let json = try Brief(
            parsing: ##"{"product": "Acme", "hashtags": "#a #b", "tone": "Friendly", "safety": {"disclosures": ["#ad"]}}"##,
            source: "b.json"
        )
        #expect(json.hashtags == ["a", "b"])
        #expect(json.tone == .friendly)
        #expect(json.safety.requiredDisclosures == ["#ad"])
    }

    @Test(arguments: [
        ("offer: 10% off\n", "brief.yaml:1:1: product: is required (what the variants promote)"),
        ("product: Acme\ntone: sarcastic\n", "brief.yaml:2:7: tone: \"sarcastic\" is not one of playful, professional, urgent, friendly"),
        (
            "product: Acme\nprice: 10\n",
            "brief.yaml:2:1: price: unknown field (expected one of product, offer, audience, link, cta, hashtags, tone, language, benefit, proof, deadline, brand, emoji, templates, safety)"
        ),
        (
            "product: Acme\nhashtags: [ok, not ok]\n",
            "brief.yaml:2:16: hashtags[1]: \"not ok\" must be letters, digits and _ (not only digits), without spaces"
        ),
        ("product: Acme\nlink: example.com\n", "brief.yaml:2:7: link: \"example.com\" is not an http or https URL"),
        ("product: Acme\nlanguage: de\n", "brief.yaml:2:11: language: \"de\" has no phrase library yet; use one of en"),
        (
            "product: Acme\ntemplates:\n  - \"{Hi|Hello {{product}}\"\n",
            "brief.yaml:3:5: templates[0]: line 1, column 22: expected '|' or '}' to close the alternatives opened at line 1, column 1, found end of template"
        ),
        ("product: [unclosed\n", "brief.yaml:2:1: not valid JSON or YAML: did not find expected ',' or ']' (while parsing a flow sequence)"),
    ])
    func malformedBriefsGiveLineAndColumn(text: String, message: String) {
        do {
            _ = try Brief(parsing: text, source: "brief.yaml")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite struct SafetyPolicyTests {
    let policy = SafetyPolicy(bannedWords: ["guaranteed", "free money"], requiredDisclosures: ["#ad"])

    @Test func findsBannedWordsAtWordBoundariesAndInHashtags() {
        #expect(policy.bannedWords(in: "Results GUARANTEED!") == ["guaranteed"])
        #expect(policy.bannedWords(in: "Get free   money now") == ["free money"])
        #expect(policy.bannedWords(in: "#FreeMoney today") == ["free money"])
        #expect(policy.bannedWords(in: "Unguaranteedly fine, money-free") == [])
    }

    @Test func disclosuresAreAddedAndChecked() {
        #expect(policy.missingDisclosures(in: "Nice shoes") == ["#ad"])
        #expect(policy.addingDisclosures(to: "Nice shoes") == "Nice shoes #ad")
        #expect(policy.addingDisclosures(to: "Nice #AD shoes") == "Nice #AD shoes")
        #expect(policy.violations(in: "guaranteed fun") == ["contains the banned word \"guaranteed\"", "lacks the required disclosure \"#ad\""])
    }

    @Test func everyGeneratorEnforcesThePolicy() throws {
        var brief = Fixtures.brief
        brief.safety = SafetyPolicy(bannedWords: ["sale", "deal"])
        let result = try RuleGenerator(policy: policy).generate(brief: brief, channel: .x, count: 8, seed: 9)
        #expect(!result.variants.isEmpty)
        for variant in result.variants {
            #expect(!variant.text.lowercased().contains("deal"))
            #expect(!variant.text.lowercased().contains("sale"))
            #expect(variant.text.contains("#ad"))
        }
        #expect(result.rejected.contains { $0.reasons.contains { $0.contains("banned word \"sale\"") } })
    }
}

@Suite struct DiversityTests {
    @Test func jaccardOfShingles() {
        #expect(TextSimilarity.shingles("Shop the sale now") == ["shop the", "the sale", "sale now"])
        #expect(TextSimilarity.similarity("Shop the sale now", "shop the sale NOW!") == 1)
        #expect(TextSimilarity.similarity("Shop the sale now", "Completely different words here") == 0)
    }

    @Test func dropsNearDuplicatesAndPicksTheMostDistant() {
        let selector = DiversitySelector(nearDuplicateThreshold: 0.6)
        let items = [
            DiversitySelector.Item(text: "Trail season is here, shop the sale now", labels: ["hook=benefit", "tone=friendly"]),
            DiversitySelector.Item(text: "Trail season is here, shop the sale now!", labels: ["hook=benefit", "tone=friendly"]),
            DiversitySelector.Item(text: "Trail season is here, shop the big sale now", labels: ["hook=benefit", "tone=playful"]),
            DiversitySelector.Item(text: "Ready for your first ultra?", labels: ["hook=question", "tone=playful"]),
            DiversitySelector.Item(text: "Last chance: 20% off ends Sunday", labels: ["hook=urgency", "tone=urgent"]),
        ]
        let (kept, dropped) = selector.removingNearDuplicates(items)
        #expect(kept == [0, 3, 4] || kept == [0, 2, 3, 4])
        #expect(dropped.contains { $0.index == 1 && $0.duplicateOf == 0 })
        let picked = selector.select(2, from: items)
        #expect(picked.first == 0)
        #expect(picked.count == 2 && [3, 4].contains(picked[1]))
    }
}
