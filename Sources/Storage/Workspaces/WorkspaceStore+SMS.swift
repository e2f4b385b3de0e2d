import Foundation
import HeraldCore
import PostgresNIO

extension WorkspaceStore {
    /// The longest opt-out line accepted, in characters.
    public static let maximumSMSOptOutLength = 60

    /// Sets the line every SMS of the workspace ends with (e.g. "Reply STOP to opt out").
    ///
    /// - Throws: ``ValidationError`` on `sms_opt_out` for an empty, multi-line or too long line.
    public func setSMSOptOut(of workspace: WorkspaceID, to line: String) async throws {
        let line = line.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else {
            throw ValidationError(field: "sms_opt_out", reason: "must not be empty: an SMS must tell how to opt out")
        }
        guard !line.contains(where: \.isNewline), line.count <= Self.maximumSMSOptOutLength else {
            throw ValidationError(field: "sms_opt_out", reason: "must be one line of at most \(Self.maximumSMSOptOutLength) characters")
        }
        try await database.client.query(
            "UPDATE workspaces SET sms_opt_out = \(line) WHERE id = \(workspace.uuid)",
            logger: database.logger
        )
    }
}
