import Channels
import ContentVariants
import HeraldCore
import Testing

@Suite struct ChallengerTests {
    @Test func eachChallengerChangesOneDimensionAndRecordsItsParent() throws {
        let winner = try #require(try RuleGenerator().generate(brief: Fixtures.brief, channel: .x, count: 1, seed: 4).variants.first)
        let base = try #require(winner.plan)
        let result = try ChallengerGenerator().challengers(of: winner, parent: "A", brief: Fixtures.brief, count: 5, seed: 1)
        #expect(result.variants.count == 5)
        var dimensions: [String] = []
        for challenger in result.variants {
            let plan = try #require(challenger.plan)
            #expect(challenger.parent == "A")
            let changed = VariantPlan.Dimension.allCases.filter { plan.value(of: $0) != base.value(of: $0) }
            #expect(changed.count == 1, "\(challenger.change ?? "")")
            #expect(plan.phraseSeed == base.phraseSeed)
            dimensions += changed.map(\.rawValue)
            #expect(ChannelRules.standard(for: .x).check(challenger.text).isValid)
            #expect(challenger.text != winner.text)
        }
        // One change per dimension before any dimension is changed twice.
        #expect(Set(dimensions).count == dimensions.count)
    }

    @Test func featureEffectsDecideWhatToTryFirst() throws {
        let winner = try #require(try RuleGenerator().generate(brief: Fixtures.brief, channel: .linkedin, count: 1, seed: 8).variants.first)
        let plan = try #require(winner.plan)
        let better: Hook = plan.hook == .question ? .urgency : .question
        let effects = [
            FeatureEffect(dimension: .hook, value: better.rawValue, effect: 0.02),
            FeatureEffect(dimension: .tone, value: plan.tone.rawValue, effect: 0.03),
        ]
        let result = try ChallengerGenerator().challengers(of: winner, parent: "w", brief: Fixtures.brief, count: 3, effects: effects, seed: 2)
        let first = try #require(result.variants.first)
        #expect(first.plan?.hook == better)
        #expect(first.change == "hook: \(plan.hook.rawValue) → \(better.rawValue)")
        // The winning tone has the strongest effect: it is kept by the first challengers.
        #expect(result.variants.prefix(2).allSatisfy { $0.plan?.tone == plan.tone })
    }

    @Test func handWrittenWinnersGetAnInferredPlan() throws {
        let text = "Ready for your first ultra? Shop the sale: https://example.com/shoes #trailrunning"
        let winner = GeneratedVariant(text: text, channel: .x, features: ContentFeatures(text: text, channel: .x), generator: "manual")
        let result = try ChallengerGenerator(policy: SafetyPolicy(requiredDisclosures: ["#ad"]))
            .challengers(of: winner, parent: "B", brief: Fixtures.brief, count: 3, seed: 5)
        #expect(result.variants.count == 3)
        #expect(result.variants.allSatisfy { $0.parent == "B" && $0.text.contains("#ad") && $0.change != nil })
    }
}
