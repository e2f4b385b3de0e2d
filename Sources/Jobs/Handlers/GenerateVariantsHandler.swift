import ContentVariants
import ContentVariantsLLM
import Foundation
import HeraldCore
import Logging
import Storage

/// Generates variants for a campaign from a brief and stores them with their features and generator;
/// the LLM when one is configured, the rule generator otherwise (or when the LLM fails).
///
/// Payload: `{"campaign_id", "workspace_id", "brief": {…} or "YAML text", "channel": "x", "count": 4, "seed": 7}`
/// (count default 4, seed default 0). Keys are `<channel><seed>-<n>`, so a retried job inserts nothing twice.
public struct GenerateVariantsHandler: JobHandler {
    public let kind = "generate_variants"
    let source: VariantSource

    /// - Parameter llm: The LLM endpoint, read at the edge (``LLMConfiguration/init(environment:)``), or nil for rules.
    public init(llm: LLMConfiguration? = nil) {
        source = VariantSource(llm: llm)
    }

    struct Payload: Decodable {
        var campaign_id: UUID
        var workspace_id: UUID
        var channel: String
        var count: Int?
        var seed: UInt64?
    }

    public func run(_ job: ClaimedJob, context: JobContext) async throws {
        let payload = try decodePayload(Payload.self, from: job)
        let location = "job \(job.id) payload"
        let channel: Channel
        do {
            channel = try Channel(parsing: payload.channel, field: "channel")
        } catch {
            throw PermanentJobError("\(error.at(location))")
        }
        let briefText = try Self.briefText(job.payload, location: location)
        let brief: Brief
        let result: GenerationResult
        let seed = payload.seed ?? 0
        // The workspace's own safety rules apply to every generator, on top of the brief's.
        let safety = try await WorkspaceStore(context.database).safety(of: WorkspaceID(payload.workspace_id))
        let policy = SafetyPolicy(bannedWords: safety.bannedWords, requiredDisclosures: safety.requiredDisclosures)
        do {
            brief = try Brief(parsing: briefText, source: "\(location).brief")
            result = try await source.generate(
                brief: brief, channel: channel, count: payload.count ?? 4, seed: seed, policy: policy,
                workspace: payload.workspace_id.uuidString.lowercased()
            )
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
                    key: "\(channel.rawValue)\(seed % 1_000_000)-\(index + 1)", text: variant.text, featuresJSON: features,
                    generator: variant.generator, parent: variant.parent.flatMap { VariantID($0) }
                )
            )
        }
        let inserted: Int
        do {
            inserted = try await CampaignStore(context.database, workspace: WorkspaceID(payload.workspace_id))
                .insertGeneratedVariants(rows, into: CampaignID(payload.campaign_id))
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
        context.logger.info(
            "generated variants",
            metadata: [
                "herald.job.id": "\(job.id)", "herald.campaign.id": "\(payload.campaign_id)", "herald.variants.inserted": "\(inserted)",
                "herald.variants.rejected": "\(result.rejected.count)", "herald.variants.fallback": "\(result.fallbackReason ?? "")",
            ]
        )
    }

    /// The brief from the payload: an object (re-encoded as JSON) or a YAML/JSON string.
    static func briefText(_ payload: String, location: String) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any], let brief = object["brief"] else {
            throw PermanentJobError("\(location): brief: is required (an object or YAML text)")
        }
        if let text = brief as? String { return text }
        guard JSONSerialization.isValidJSONObject(brief), let data = try? JSONSerialization.data(withJSONObject: brief, options: [.sortedKeys]) else {
            throw PermanentJobError("\(location): brief: expected an object or YAML text")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
