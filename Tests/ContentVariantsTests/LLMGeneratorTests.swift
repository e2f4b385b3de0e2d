import Channels
import ContentVariants
import ContentVariantsLLM
import Foundation
import HeraldCore
import HeraldTestKit
import NIOCore
import Testing

@Suite struct LLMGeneratorTests {
    static let good = [
        "Ready for your first ultra? Trailblazer 2 grips wet rock. 20% off this weekend: https://example.com/shoes",
        "12,000 trail runners already swear by Trailblazer 2. Grab yours, 20% off until Sunday. https://example.com/shoes #trailrunning",
        "Last chance: 20% off Trailblazer 2 ends Sunday! ⏰ https://example.com/shoes",
    ]

    func configuration(_ url: URL, timeout: Duration = .seconds(5), attempts: Int = 2, budget: LLMBudget.Limits = .init()) -> LLMConfiguration {
        LLMConfiguration(
            endpoint: url,
            model: "test-model",
            apiKey: "sk-test",
            timeout: timeout,
            maxAttempts: attempts,
            retryDelay: .milliseconds(10),
            budget: budget
        )
    }

    func generator(_ configuration: LLMConfiguration, policy: SafetyPolicy = .none, budget: LLMBudget? = nil) -> LLMVariantGenerator {
        LLMVariantGenerator(
            configuration: configuration,
            transport: HTTPChatTransport(),
            budget: budget ?? LLMBudget(limits: configuration.budget),
            policy: policy
        )
    }

    @Test func parsesAValidAnswerAndSendsThePrompt() async throws {
        try await StubLLMServer.with({ _, _ in .variants(Self.good) }) { url, log in
            let result = try await generator(configuration(url)).generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
            #expect(result.variants.map(\.text).sorted() == Self.good.sorted())
            #expect(result.variants.allSatisfy { $0.generator == "llm:test-model" })
            #expect(result.variants.first { $0.text.hasPrefix("Ready") }?.features.hook == .question)
            let request = try #require(log.all.first)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.authorization == "Bearer sk-test")
            #expect(request.body.contains("\"model\":\"test-model\""))
            #expect(request.body.contains("at most 280 characters"))
            #expect(request.body.contains("Trailblazer 2 trail shoes"))
        }
    }

    @Test func tooLongBannedAndDuplicateAnswersNeverBecomeVariants() async throws {
        let answers =
            Self.good + [
                String(repeating: "Trailblazer is great. ", count: 20),
                "Guaranteed results with Trailblazer 2, the miracle shoe! https://example.com/shoes",
                Self.good[0] + "!",
            ]
        let policy = SafetyPolicy(bannedWords: ["guaranteed"])
        try await StubLLMServer.with({ _, _ in .variants(answers) }) { url, _ in
            let result = try await generator(configuration(url), policy: policy)
                .generate(brief: Fixtures.brief, channel: .x, count: 5, seed: 1, workspace: "w1")
            #expect(result.variants.count == 3)
            let reasons = result.rejected.flatMap(\.reasons)
            #expect(reasons.contains { $0.contains("x allows at most 280") })
            #expect(reasons.contains { $0.contains("banned word \"guaranteed\"") })
            #expect(reasons.contains { $0.hasPrefix("near-duplicate") })
            for variant in result.variants {
                #expect(ChannelRules.standard(for: .x).check(variant.text).isValid)
                #expect(policy.violations(in: variant.text).isEmpty)
            }
        }
    }

    @Test func disclosuresAreAddedToLLMText() async throws {
        try await StubLLMServer.with({ _, _ in .variants(Self.good) }) { url, _ in
            let result = try await generator(configuration(url), policy: SafetyPolicy(requiredDisclosures: ["#ad"]))
                .generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
            #expect(!result.variants.isEmpty && result.variants.allSatisfy { $0.text.hasSuffix("#ad") })
        }
    }

    @Test func anAnswerThatIsNotJSONIsRetriedThenRefused() async throws {
        try await StubLLMServer.with({ _, _ in .completion("Sure! Here are some great posts: 1. Buy shoes") }) { url, log in
            await #expect(throws: LLMError.self) {
                try await generator(configuration(url, attempts: 3)).generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
            }
            #expect(log.all.count == 3)
        }
        // Fenced JSON is fine.
        let fenced = "```json\n{\"variants\": [{\"text\": \"Meet Trailblazer 2. https://example.com/shoes\", \"hook\": \"benefit\"}]}\n```"
        try await StubLLMServer.with({ _, _ in .completion(fenced) }) { url, _ in
            let result = try await generator(configuration(url)).generate(brief: Fixtures.brief, channel: .x, count: 1, seed: 1, workspace: "w1")
            #expect(result.variants.map(\.text) == ["Meet Trailblazer 2. https://example.com/shoes"])
        }
        // A body that is not a chat completion at all.
        try await StubLLMServer.with({ _, _ in StubReply(body: "<html>oops</html>") }) { url, _ in
            do {
                _ = try await generator(configuration(url, attempts: 1)).generate(
                    brief: Fixtures.brief,
                    channel: .x,
                    count: 1,
                    seed: 1,
                    workspace: "w1"
                )
                Issue.record("accepted HTML")
            } catch let error as LLMError {
                guard case .malformedAnswer = error else {
                    Issue.record("\(error)")
                    return
                }
            }
        }
    }

    @Test func aSlowAnswerTimesOutAndIsRetried() async throws {
        try await StubLLMServer.with({ number, _ in
            number == 0 ? StubReply(body: StubReply.variants(Self.good).body, delay: .seconds(30)) : .variants(Self.good)
        }) { url, log in
            let result = try await generator(configuration(url, timeout: .seconds(3)))
                .generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
            #expect(result.variants.count == 3)
            // The first answer would come after 30 s; only a timed-out first attempt explains a second request.
            #expect(log.all.count == 2)
        }
        try await StubLLMServer.with({ _, _ in StubReply(body: "{}", delay: .seconds(30)) }) { url, _ in
            do {
                _ = try await generator(configuration(url, timeout: .milliseconds(200), attempts: 2))
                    .generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
                Issue.record("a slow answer was accepted")
            } catch let error as LLMError {
                #expect(error == .timedOut(attempts: 2))
            }
        }
    }

    @Test func serverErrorsAreRetriedClientErrorsAreNot() async throws {
        try await StubLLMServer.with({ number, _ in number == 0 ? StubReply(status: 503, body: "busy") : .variants(Self.good) }) { url, log in
            let result = try await generator(configuration(url)).generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
            #expect(result.variants.count == 3 && log.all.count == 2)
        }
        try await StubLLMServer.with({ _, _ in StubReply(status: 401, body: "{\"error\": \"bad key\"}") }) { url, log in
            do {
                _ = try await generator(configuration(url, attempts: 3)).generate(
                    brief: Fixtures.brief,
                    channel: .x,
                    count: 3,
                    seed: 1,
                    workspace: "w1"
                )
                Issue.record("401 accepted")
            } catch let error as LLMError {
                #expect(error == .http(status: 401, body: "{\"error\": \"bad key\"}"))
            }
            #expect(log.all.count == 1)
        }
    }

    @Test func theBudgetIsPerWorkspace() async throws {
        try await StubLLMServer.with({ _, _ in .variants(Self.good) }) { url, _ in
            let configuration = configuration(url, budget: LLMBudget.Limits(requests: 1, tokens: 10_000))
            let budget = LLMBudget(limits: configuration.budget)
            let llm = generator(configuration, budget: budget)
            _ = try await llm.generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
            do {
                _ = try await llm.generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w1")
                Issue.record("over budget")
            } catch let error as LLMError {
                guard case .budgetExhausted(let workspace, _) = error else {
                    Issue.record("\(error)")
                    return
                }
                #expect(workspace == "w1")
            }
            // Another workspace still has its own budget.
            _ = try await llm.generate(brief: Fixtures.brief, channel: .x, count: 3, seed: 1, workspace: "w2")
            #expect(await budget.usage(of: "w1") == LLMBudget.Usage(requests: 1, tokens: 120))
        }
    }

    @Test func variantSourceFallsBackToRulesAndSaysWhy() async throws {
        try await StubLLMServer.with({ _, _ in .completion("not json") }) { url, _ in
            let source = VariantSource(llm: configuration(url, attempts: 1))
            let result = try await source.generate(brief: Fixtures.brief, channel: .x, count: 4, seed: 3, policy: .none)
            #expect(result.variants.count == 4 && result.variants.allSatisfy { $0.generator == "rules/en" })
            #expect(result.fallbackReason?.contains("not the JSON asked for") == true)
        }
        let rulesOnly = try await VariantSource(llm: nil).generate(brief: Fixtures.brief, channel: .x, count: 2, seed: 3, policy: .none)
        #expect(rulesOnly.fallbackReason == nil && rulesOnly.variants.count == 2)
    }

    @Test func configurationFromTheEnvironment() throws {
        #expect(try LLMConfiguration(environment: [:]) == nil)
        let configuration = try #require(
            try LLMConfiguration(environment: ["HERALD_LLM_URL": "http://127.0.0.1:9/v1", "HERALD_LLM_MODEL": "m", "HERALD_LLM_TIMEOUT": "2.5"])
        )
        #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:9/v1/chat/completions")
        #expect(configuration.timeout == .milliseconds(2500))
        #expect(throws: ValidationError.self) { try LLMConfiguration(environment: ["HERALD_LLM_URL": "http://127.0.0.1:9/v1"]) }
        #expect(throws: ValidationError.self) { try LLMConfiguration(environment: ["HERALD_LLM_URL": "ftp://x", "HERALD_LLM_MODEL": "m"]) }
    }
}
