import Connectors
import Foundation
import HeraldCore
import PostgresNIO

extension CampaignStore {
    /// Checks that every account a campaign names is connected in this workspace, with the channel's kind.
    ///
    /// - Throws: ``ValidationError`` on `accounts.<channel>` naming what is wrong and how to connect one.
    func checkAccounts(named accounts: [HeraldCore.Channel: String]) async throws {
        guard !accounts.isEmpty else { return }
        let rows = try await database.client.query(
            "SELECT name, kind FROM accounts WHERE workspace_id = \(workspace.uuid) AND name = ANY(\(Array(Set(accounts.values)))::text[])",
            logger: database.logger
        )
        var kinds: [String: String] = [:]
        for try await (name, kind) in rows.decode((String, String).self) { kinds[name] = kind }
        for channel in accounts.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            let name = accounts[channel] ?? ""
            guard let kind = kinds[name] else {
                throw ValidationError(
                    field: "accounts.\(channel.rawValue)",
                    reason: "no connected account named \"\(name)\" in this workspace (see `herald channels list`)"
                )
            }
            guard kind == channel.rawValue else {
                throw ValidationError(field: "accounts.\(channel.rawValue)", reason: "\"\(name)\" is a \(kind) account, not \(channel.rawValue)")
            }
        }
    }

    /// The account each of the campaign's channels publishes through: the one the campaign names, else the workspace's
    /// only account of the channel's kind. A channel with none is absent.
    public func publishingAccounts(of campaign: CampaignID) async throws -> [HeraldCore.Channel: UUID] {
        let rows = try await database.client.query(
            """
            SELECT ch.kind, coalesce(ch.account_id,
                   (SELECT min(a.id::text)::uuid FROM accounts a WHERE a.workspace_id = ch.workspace_id AND a.kind = ch.kind
                    HAVING count(*) = 1))
            FROM channels ch WHERE ch.campaign_id = \(campaign.uuid) AND ch.workspace_id = \(workspace.uuid)
            """,
            logger: database.logger
        )
        var accounts: [HeraldCore.Channel: UUID] = [:]
        for try await (kind, account) in rows.decode((String, UUID?).self) {
            if let channel = HeraldCore.Channel(rawValue: kind), let account { accounts[channel] = account }
        }
        return accounts
    }

    /// Why a new campaign with a schedule could not publish for real (see ``publishingProblem(_:)``), before it is stored.
    func schedulingProblem(_ spec: CampaignSpec) async throws -> ValidationError? {
        guard !spec.dryRun else { return nil }
        let rows = try await database.client.query(
            "SELECT kind, count(*)::int FROM accounts WHERE workspace_id = \(workspace.uuid) GROUP BY kind",
            logger: database.logger
        )
        var counts: [String: Int] = [:]
        for try await (kind, count) in rows.decode((String, Int).self) { counts[kind] = count }
        // Email to an audience goes out through the worker's SMTP sender, not a connected account.
        for channel in spec.channels where !(channel == .email && spec.audience != nil) {
            guard let kind = AccountKind(channel: channel) else { return Self.noConnector(channel) }
            if spec.accounts[channel] == nil, counts[kind.rawValue] != 1 { return Self.noAccount(kind) }
        }
        return nil
    }

    static func noConnector(_ channel: HeraldCore.Channel) -> ValidationError {
        ValidationError(
            field: "channels",
            reason: "Herald cannot publish to \(channel.rawValue) yet; make the campaign a dry run (`dry_run: true`) or remove the channel"
        )
    }

    static func noAccount(_ kind: AccountKind) -> ValidationError {
        ValidationError(
            field: "accounts.\(kind.rawValue)",
            reason:
                "no connected \(kind.rawValue) account to publish to (or several and none named): connect one with `herald channels connect \(kind.rawValue) …` and name it under `accounts:`, or make the campaign a dry run (`dry_run: true`)"
        )
    }

    /// Why the campaign cannot publish for real, or nil when it can: a channel Herald has no connector for, or one with
    /// no connected account. A dry run always can (nothing leaves Herald).
    public func publishingProblem(_ campaign: Campaign) async throws -> ValidationError? {
        guard !campaign.dryRun else { return nil }
        let accounts = try await publishingAccounts(of: campaign.id)
        for channel in campaign.channels where !(channel == .email && campaign.audience != nil) {
            guard let kind = AccountKind(channel: channel) else { return Self.noConnector(channel) }
            if accounts[channel] == nil { return Self.noAccount(kind) }
        }
        return nil
    }
}
