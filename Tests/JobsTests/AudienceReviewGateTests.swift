import Crypto
import Foundation
import HeraldCore
import HeraldTestSupport
import Jobs
import PostgresNIO
import Testing

@testable import Storage

/// The review gate on the audience send path: only approved variants are fanned out, a message whose variant lost its
/// approval is cancelled rather than sent, and a campaign with no approved email variant sends nothing, saying why.
struct AudienceReviewGateTests {
    static let approver = AuditActor.token(UUID(), name: "approver", role: .approver)
    static let editor = AuditActor.token(UUID(), name: "editor", role: .editor)
    let sends = AudienceSendTests()

    @Test func onlyApprovedVariantsAreSentAndAnEditAfterTheFanOutStopsTheMessages() async throws {
        try await sends.withCampaign(contacts: 8, testShare: nil) { database, campaign in
            let reviews = ReviewStore(database, workspace: campaign.workspaceID)
            try await reviews.decide(variant: campaign.variants[0].id, decision: .reject, comment: "Off brand", actor: Self.approver)
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Date())])
            let sender = RecordingMailSender()
            let mail = AudienceMail(sender: sender, from: "news@example.com", concurrency: 2)
            try await sends.runNext(.sendAudience, SendAudienceHandler(), database, mail: mail)
            let b = campaign.variants[1].id
            #expect(try await sends.count(database, "SELECT count(*)::int FROM messages") == 8)
            #expect(try await sends.count(database, "SELECT count(*)::int FROM messages WHERE variant_id = \(b.uuid)") == 8)

            // B is edited before its messages go: none is sent.
            try await CampaignStore(database, workspace: campaign.workspaceID)
                .editVariant(b, of: campaign.id, text: "Two, edited.", email: nil, editor: Self.editor)
            try await sends.runNext(
                .sendMessages,
                SendMessagesHandler(publicURL: "https://t.example", secrets: AudienceSendTests.secrets),
                database,
                mail: mail
            )
            #expect(sender.messages.isEmpty)
            #expect(
                try await sends.count(database, "SELECT count(*)::int FROM messages WHERE state = 'cancelled' AND failure_class = 'not_approved'")
                    == 8
            )
        }
    }

    @Test func withNoApprovedEmailVariantTheSendFailsSayingWhy() async throws {
        try await sends.withCampaign(contacts: 3, testShare: nil) { database, campaign in
            let reviews = ReviewStore(database, workspace: campaign.workspaceID)
            for variant in campaign.variants {
                try await reviews.decide(variant: variant.id, decision: .reject, comment: "Not yet", actor: Self.approver)
            }
            try await JobQueue(database).enqueue([CampaignFire.audienceJob(campaign, phase: .all, at: Date())])
            let mail = AudienceMail(sender: RecordingMailSender(), from: "news@example.com")
            let error = await #expect(throws: PermanentJobError.self) {
                try await sends.runNext(.sendAudience, SendAudienceHandler(), database, mail: mail)
            }
            #expect(error?.message.contains("has no approved email variant (A is rejected, B is rejected)") == true)
            #expect(try await sends.count(database, "SELECT count(*)::int FROM messages") == 0)
        }
    }
}
