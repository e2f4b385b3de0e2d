import HeraldCore
import Storage

extension CampaignJobPayload {
    /// The campaign the job is about; one that no longer exists fails the job permanently.
    func campaign(in context: JobContext) async throws -> Campaign {
        do {
            return try await CampaignStore(context.database, workspace: workspace).find(campaign)
        } catch let error as NotFoundError {
            throw PermanentJobError("\(error)")
        }
    }
}
