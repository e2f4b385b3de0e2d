import ContentVariants
import ContentVariantsLLM
import Foundation
import HeraldCore
import Logging
import Storage

/// Generates variants for a campaign from a brief (``GenerateVariantsPayload``) and stores them with their features
/// and generator; the LLM when one is configured, the rule generator otherwise (or when the LLM fails).
///
/// Keys are `<channel><seed>-<n>` (challengers of a variant: `<key>-c<seed>-<n>`), so a retried job inserts nothing
/// twice. Generated variants (challengers too) start pending review: none is published until a person approves it
/// (``ReviewStore``). The brief is kept on the campaign, for the challengers autopilot writes later.
public struct GenerateVariantsHandler: JobHandler {
    let source: VariantSource

    /// - Parameter llm: The LLM endpoint, read at the edge (``LLMConfiguration/init(environment:)``), or nil for rules.
    public init(llm: LLMConfiguration? = nil) {
        source = VariantSource(llm: llm)
    }

    public func run(_ job: ClaimedJob, payload: GenerateVariantsPayload, context: JobContext) async throws {
        let location = "job \(job.id) payload"
        let channel: Channel
        do {
            channel = try Channel(parsing: payload.channel, field: "channel")
        } catch {
            throw PermanentJobError("\(error.at(location))")
        }
        let briefText = try Self.briefText(payload.brief, location: location)
        let campaign = try await payload.campaign(in: context)
        if !campaign.channels.contains(channel) {
            throw PermanentJobError(
                "\(location): channel: \(channel.rawValue) is not one of the campaign's channels (\(campaign.channels.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let brief: Brief
        let result: GenerationResult
        let seed = payload.seed ?? 0
        // The workspace's own safety rules apply to every generator, on top of the brief's.
        let safety = try await WorkspaceStore(context.database).safety(of: payload.workspace)
        let smsOptOut = try await CampaignStore(context.database, workspace: payload.workspace).smsOptOut()
        let policy = SafetyPolicy(bannedWords: safety.bannedWords, requiredDisclosures: safety.requiredDisclosures, smsOptOut: smsOptOut)
        var keyPrefix = "\(channel.rawValue)\(seed % 1_000_000)"
        do {
            brief = try Brief(parsing: briefText, source: "\(location).brief")
            if let leaderKey = payload.challengerOf {
                // Challengers of a stored variant: each changes one thing of it (rules; reviewed like any generated variant).
                guard let leader = campaign.variants.first(where: { $0.key == leaderKey }) else {
                    throw PermanentJobError(
                        "\(location): challenger_of: \"\(leaderKey)\" is not a variant of the campaign (\(campaign.variants.map(\.key).joined(separator: ", ")))"
                    )
                }
                let stored = GeneratedVariant(
                    text: leader.text,
                    channel: channel,
                    features: ContentFeatures(text: leader.text, channel: channel),
                    generator: "stored",
                    email: leader.email
                )
                result = try ChallengerGenerator(policy: policy)
                    .challengers(of: stored, parent: leader.id.description, brief: brief, count: payload.count ?? 1, seed: seed)
                keyPrefix = "\(leaderKey)-c\(seed % 1_000_000)"
            } else {
                result = try await source.generate(
                    brief: brief,
                    channel: channel,
                    count: payload.count ?? 4,
                    seed: seed,
                    policy: policy,
                    workspace: payload.workspace.description
                )
            }
        } catch let error as PermanentJobError {
            throw error
        } catch {
            throw PermanentJobError("\(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var rows: [CampaignStore.GeneratedVariantRow] = []
        for (index, variant) in result.variants.enumerated() {
            let features = String(decoding: try encoder.encode(variant.storedFeatures), as: UTF8.self)
            rows.append(
                CampaignStore.GeneratedVariantRow(
                    key: "\(keyPrefix)-\(index + 1)",
                    text: variant.text,
                    featuresJSON: features,
                    generator: variant.generator,
                    parent: variant.parent.flatMap { VariantID($0) },
                    channel: channel,
                    email: variant.email
                )
            )
        }
        let inserted: Int
        let store = CampaignStore(context.database, workspace: payload.workspace)
        do {
            // Challengers are written by rules from a stored variant; a workspace may let those go out without review.
            var approver: AuditActor?
            if payload.challengerOf != nil, result.variants.allSatisfy({ !$0.generator.hasPrefix("llm") }),
                try await ReviewStore(context.database, workspace: payload.workspace).settings().ruleChallengersWithoutReview
            {
                approver = AuditActor.system("autopilot", role: .approver)
            }
            inserted = try await store.insertGeneratedVariants(
                rows,
                into: payload.campaign,
                approvedBy: approver,
                reason: "the workspace lets rule-written challengers go out without review"
            )
            if payload.challengerOf == nil, let brief = payload.brief {
                try await store.rememberBrief(payload.campaign, json: String(decoding: try encoder.encode(brief), as: UTF8.self))
            }
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
        context.logger.info(
            "generated variants",
            metadata: [
                "herald.job.id": "\(job.id)", "herald.campaign.id": "\(payload.campaign)", "herald.variants.inserted": "\(inserted)",
                "herald.variants.rejected": "\(result.rejected.count)", "herald.variants.fallback": "\(result.fallbackReason ?? "")",
            ]
        )
    }

    /// The brief's text: YAML/JSON text as given, or an object (or list) written as JSON with sorted keys.
    static func briefText(_ brief: JSONValue?, location: String) throws -> String {
        switch brief {
        case nil:
            throw PermanentJobError("\(location): brief: is required (an object or YAML text)")
        case .string(let text):
            return text
        case .object, .array:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(brief), as: UTF8.self)
        case .null, .bool, .integer, .number:
            throw PermanentJobError("\(location): brief: expected an object or YAML text")
        }
    }
}
