import Hummingbird

/// `GET /v1/workspace`: the workspace a token acts in, and its role there.
struct WorkspaceResponse: ResponseEncodable {
    /// The workspace's slug.
    var workspace: String
    /// `viewer`, `editor` or `admin`.
    var role: String
}
