import Connectors

extension AccountKind {
    /// The platform's name as people write it, for reports: `Mastodon`, `Bluesky`, `X`, `LinkedIn`, `Webhook`.
    var platformName: String {
        switch self {
        case .mastodon: "Mastodon"
        case .bluesky: "Bluesky"
        case .x: "X"
        case .linkedin: "LinkedIn"
        case .webhook: "Webhook"
        }
    }
}
