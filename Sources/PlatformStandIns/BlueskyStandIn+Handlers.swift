import Crypto
import Foundation
import Synchronization

extension BlueskyStandIn {
    // MARK: - Sessions

    /// `com.atproto.server.createSession` {identifier, password}.
    func createSession(_ call: Call) -> Answer {
        guard let input = Self.object(call.body) else { return .error(400, "InvalidRequest", "Request body must be a JSON object") }
        guard let identifier = input["identifier"] as? String else { return Self.missing("identifier") }
        guard let password = input["password"] as? String else { return Self.missing("password") }
        return state.withLock { state in
            guard let account = Self.account(identifier, in: state),
                account.password == password || account.appPasswords.contains(password)
            else { return .error(401, "AuthenticationRequired", "Invalid identifier or password") }
            let appPassword = account.appPasswords.contains(password) ? password : nil
            return sessionAnswer(for: account, appPassword: appPassword, in: &state)
        }
    }

    /// `com.atproto.server.refreshSession`, authorized with a refresh token; rotates it.
    func refreshSession(_ call: Call) -> Answer {
        let now = now()
        return state.withLock { state in
            guard let token = Self.bearer(call) else { return .error(401, "AuthMissing", "Authentication Required") }
            guard let session = state.tokens[token] else { return .error(400, "InvalidToken", "Token could not be verified") }
            guard session.kind == .refresh else { return .error(400, "InvalidToken", "Bad token scope") }
            guard !session.revoked else { return .error(400, "ExpiredToken", "Token has been revoked") }
            guard session.expiresAt > now else { return .error(400, "ExpiredToken", "Token has expired") }
            guard let account = Self.account(session.did, in: state) else {
                return .error(400, "InvalidRequest", "Could not find user info for account: \(session.did)")
            }
            state.tokens[token]?.revoked = true
            return sessionAnswer(for: account, appPassword: session.appPassword, in: &state)
        }
    }

    /// `com.atproto.server.getSession`.
    func getSession(_ call: Call) -> Answer {
        state.withLock { state in
            switch authorize(call, in: state) {
            case .failure(let failure): return failure.answer
            case .success(let account): return .json(["handle": account.handle, "did": account.did, "active": true])
            }
        }
    }

    /// `com.atproto.identity.resolveHandle?handle=`.
    func resolveHandle(_ call: Call) -> Answer {
        guard let handle = call.parameter("handle") else { return Self.missingParameter("handle") }
        return state.withLock { state in
            guard let account = state.accounts.first(where: { $0.handle == handle.lowercased() }) else {
                return .error(400, "InvalidRequest", "Unable to resolve handle")
            }
            return .json(["did": account.did])
        }
    }

    // MARK: - Repository

    /// `com.atproto.repo.uploadBlob`: raw bytes with their `Content-Type`.
    func uploadBlob(_ call: Call) -> Answer {
        state.withLock { state in
            let account: Account
            switch authorize(call, in: state) {
            case .failure(let failure): return failure.answer
            case .success(let found): account = found
            }
            guard call.body.count <= blobSizeLimit else { return .error(413, "PayloadTooLarge", "request entity too large") }
            let mimeType = call.contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "application/octet-stream"
            let cid = ATProtoCID.cid(of: call.body, codec: ATProtoCID.raw)
            state.blobs[cid] = Blob(cid: cid, repo: account.did, mimeType: mimeType, data: call.body)
            return .json(["blob": ["$type": "blob", "ref": ["$link": cid], "mimeType": mimeType, "size": call.body.count] as [String: Any]])
        }
    }

    /// `com.atproto.repo.createRecord` {repo, collection, rkey?, record}.
    func createRecord(_ call: Call) -> Answer {
        guard let input = Self.object(call.body) else { return .error(400, "InvalidRequest", "Request body must be a JSON object") }
        guard let repo = input["repo"] as? String else { return Self.missing("repo") }
        guard let collection = input["collection"] as? String else { return Self.missing("collection") }
        guard var record = input["record"] as? [String: Any] else { return Self.missing("record") }
        let now = now()
        return state.withLock { state in
            let session: Account
            switch authorize(call, in: state) {
            case .failure(let failure): return failure.answer
            case .success(let account): session = account
            }
            guard let account = Self.account(repo, in: state) else { return .error(400, "InvalidRequest", "Could not find repo: \(repo)") }
            guard account.did == session.did else { return .error(401, "AuthenticationRequired", "Authentication Required") }
            if let type = record["$type"] as? String, type != collection {
                return .error(400, "InvalidRequest", "Invalid $type: expected \(collection), got \(type)")
            }
            record["$type"] = collection
            let rkey: String
            if let given = input["rkey"] as? String {
                guard given.count <= 512, given.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:~".contains($0)) }) else {
                    return .error(400, "InvalidRequest", "Invalid record key: \(given)")
                }
                if collection == "app.bsky.feed.post", !Self.isTID(given) {
                    return .error(400, "InvalidRequest", "Invalid record key for app.bsky.feed.post: TID syntax not valid (regex)")
                }
                rkey = given
            } else {
                rkey = nextTID(now: now, in: &state)
            }
            if collection == "app.bsky.feed.post", let problem = Self.postProblem(record, repo: account.did, blobs: state.blobs) {
                return .error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: \(problem)")
            }
            let uri = "at://\(account.did)/\(collection)/\(rkey)"
            if state.records.contains(where: { $0.uri == uri }) {
                switch duplicateRecordAnswer {
                case .internalServerError: return .error(500, "InternalServerError", "Internal Server Error")
                case .recordAlreadyExists: return .error(409, "RecordAlreadyExists", "Record already exists: \(uri)")
                }
            }
            let value = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            let cid = ATProtoCID.cid(of: value, codec: ATProtoCID.record)
            state.records.append(Record(repo: account.did, collection: collection, rkey: rkey, uri: uri, cid: cid, value: value))
            let rev = nextTID(now: now, in: &state)
            return .json([
                "uri": uri, "cid": cid, "validationStatus": "valid",
                "commit": ["cid": ATProtoCID.cid(of: Data((uri + rev).utf8), codec: ATProtoCID.record), "rev": rev],
            ])
        }
    }

    /// `com.atproto.repo.getRecord?repo=&collection=&rkey=` (no auth).
    func getRecord(_ call: Call) -> Answer {
        guard let repo = call.parameter("repo") else { return Self.missingParameter("repo") }
        guard let collection = call.parameter("collection") else { return Self.missingParameter("collection") }
        guard let rkey = call.parameter("rkey") else { return Self.missingParameter("rkey") }
        return state.withLock { state in
            guard let account = Self.account(repo, in: state) else { return .error(400, "InvalidRequest", "Could not locate record") }
            let uri = "at://\(account.did)/\(collection)/\(rkey)"
            guard let record = state.records.first(where: { $0.uri == uri }) else {
                return .error(400, "RecordNotFound", "Could not locate record: \(uri)")
            }
            return .json(["uri": uri, "cid": record.cid, "value": Self.object(record.value) ?? [:]])
        }
    }

    // MARK: - App view (proxied by a real PDS)

    /// `app.bsky.feed.getPosts?uris=…` (at most 25).
    func getPosts(_ call: Call) -> Answer {
        let uris = call.parameters("uris")
        guard !uris.isEmpty else { return Self.missingParameter("uris") }
        guard uris.count <= 25 else { return .error(400, "InvalidRequest", "Error: uris must not have more than 25 elements") }
        return state.withLock { state in
            if case .failure(let failure) = authorize(call, in: state) { return failure.answer }
            let posts: [[String: Any]] = uris.compactMap { uri in
                guard let record = state.records.first(where: { $0.uri == uri }), let author = Self.account(record.repo, in: state) else {
                    return nil
                }
                let counts = state.counts[uri] ?? Counts()
                return [
                    "uri": uri, "cid": record.cid, "author": ["did": author.did, "handle": author.handle],
                    "record": Self.object(record.value) ?? [:], "likeCount": counts.likes, "repostCount": counts.reposts,
                    "replyCount": counts.replies, "quoteCount": counts.quotes,
                    "indexedAt": (Self.object(record.value)?["createdAt"] as? String) ?? "",
                ]
            }
            return .json(["posts": posts])
        }
    }

    /// `app.bsky.actor.getProfile?actor=`.
    func getProfile(_ call: Call) -> Answer {
        guard let actor = call.parameter("actor") else { return Self.missingParameter("actor") }
        return state.withLock { state in
            if case .failure(let failure) = authorize(call, in: state) { return failure.answer }
            guard let account = Self.account(actor, in: state) else { return .error(400, "InvalidRequest", "Profile not found") }
            let posts = state.records.filter { $0.repo == account.did && $0.collection == "app.bsky.feed.post" }.count
            return .json(["did": account.did, "handle": account.handle, "followersCount": account.followers, "followsCount": 0, "postsCount": posts])
        }
    }

    // MARK: - Helpers

    /// The account an access token belongs to, or the error the reference PDS answers.
    func authorize(_ call: Call, in state: State) -> Result<Account, AnswerError> {
        guard let token = Self.bearer(call) else { return .failure(AnswerError(.error(401, "AuthMissing", "Authentication Required"))) }
        guard let session = state.tokens[token], !session.revoked else {
            return .failure(AnswerError(.error(400, "InvalidToken", "Token could not be verified")))
        }
        guard session.kind == .access else { return .failure(AnswerError(.error(400, "InvalidToken", "Bad token scope"))) }
        guard session.expiresAt > now() else { return .failure(AnswerError(.error(400, "ExpiredToken", "Token has expired"))) }
        guard let account = Self.account(session.did, in: state) else {
            return .failure(AnswerError(.error(401, "AuthenticationRequired", "Authentication Required")))
        }
        return .success(account)
    }

    /// An answer carried as a `Result` failure.
    struct AnswerError: Error {
        var answer: Answer
        init(_ answer: Answer) { self.answer = answer }
    }

    /// Issues an access and a refresh token for `account` and answers them as `createSession` does.
    func sessionAnswer(for account: Account, appPassword: String?, in state: inout State) -> Answer {
        let now = now()
        let access = token(
            did: account.did,
            scope: appPassword == nil ? "com.atproto.access" : "com.atproto.appPass",
            now: now,
            lifetime: accessTokenLifetime
        )
        let refresh = token(did: account.did, scope: "com.atproto.refresh", now: now, lifetime: refreshTokenLifetime)
        state.tokens[access] = Token(
            did: account.did,
            kind: .access,
            expiresAt: now.addingTimeInterval(accessTokenLifetime),
            appPassword: appPassword
        )
        state.tokens[refresh] = Token(
            did: account.did,
            kind: .refresh,
            expiresAt: now.addingTimeInterval(refreshTokenLifetime),
            appPassword: appPassword
        )
        return .json(["accessJwt": access, "refreshJwt": refresh, "handle": account.handle, "did": account.did, "active": true])
    }

    /// A JWT-shaped token (header, claims with `scope`, `sub`, `iat`, `exp`, `jti`, and a random signature).
    func token(did: String, scope: String, now: Date, lifetime: TimeInterval) -> String {
        func encode(_ object: [String: Any]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = encode(["typ": scope == "com.atproto.refresh" ? "refresh+jwt" : "at+jwt", "alg": "HS256"])
        let iat = Int(now.timeIntervalSince1970)
        let claims = encode(["scope": scope, "sub": did, "iat": iat, "exp": iat + Int(lifetime), "jti": UUID().uuidString])
        let signature = Data(SHA256.hash(data: Data((header + claims + UUID().uuidString).utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "\(header).\(claims).\(signature)"
    }

    /// A new TID from the clock, always after the last one.
    func nextTID(now: Date, in state: inout State) -> String {
        let micros = UInt64(max(now.timeIntervalSince1970, 0) * 1_000_000)
        let value = max((micros << 10) & ~(UInt64(1) << 63), state.lastTID + 1)
        state.lastTID = value
        let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz")
        return String((0..<13).reversed().map { alphabet[Int((value >> UInt64($0 * 5)) & 31)] })
    }

    /// What is wrong with a post record, as the lexicon validation says it; nil when it is valid.
    static func postProblem(_ record: [String: Any], repo: String, blobs: [String: Blob]) -> String? {
        guard let text = record["text"] as? String else { return "Record/text must be a string" }
        if text.count > 300 { return "Record/text must not be longer than 300 graphemes" }
        if text.utf8.count > 3000 { return "Record/text must not be longer than 3000 characters" }
        guard let createdAt = record["createdAt"] as? String, Self.isDatetime(createdAt) else {
            return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
        }
        if let facets = record["facets"] {
            guard let facets = facets as? [[String: Any]] else { return "Record/facets must be an array" }
            for (i, facet) in facets.enumerated() {
                guard let index = facet["index"] as? [String: Any], let start = index["byteStart"] as? Int, let end = index["byteEnd"] as? Int,
                    start >= 0, end >= 0
                else { return "Record/facets/\(i)/index must have the properties byteStart and byteEnd (non-negative integers)" }
                guard let features = facet["features"] as? [[String: Any]], !features.isEmpty else {
                    return "Record/facets/\(i) must have the property \"features\""
                }
                for feature in features {
                    switch feature["$type"] as? String {
                    case "app.bsky.richtext.facet#link": if !(feature["uri"] is String) { return "Record/facets/\(i)/features must have uri" }
                    case "app.bsky.richtext.facet#mention":
                        if !((feature["did"] as? String)?.hasPrefix("did:") ?? false) { return "Record/facets/\(i)/features/did must be a valid did" }
                    case "app.bsky.richtext.facet#tag":
                        guard let tag = feature["tag"] as? String, tag.count <= 64, tag.utf8.count <= 640 else {
                            return "Record/facets/\(i)/features/tag must not be longer than 64 graphemes"
                        }
                    default: break
                    }
                }
            }
        }
        if let embed = record["embed"] as? [String: Any], embed["$type"] as? String == "app.bsky.embed.images" {
            guard let images = embed["images"] as? [[String: Any]] else { return "Record/embed must have the property \"images\"" }
            if images.count > 4 { return "Record/embed/images must not have more than 4 elements" }
            for (i, image) in images.enumerated() {
                guard image["alt"] is String else { return "Record/embed/images/\(i) must have the property \"alt\"" }
                guard let blob = image["image"] as? [String: Any], let ref = blob["ref"] as? [String: Any], let cid = ref["$link"] as? String else {
                    return "Record/embed/images/\(i)/image should be a blob ref"
                }
                guard let stored = blobs[cid], stored.repo == repo else { return "Could not find blob: \(cid)" }
                guard stored.mimeType.hasPrefix("image/") else { return "Record/embed/images/\(i)/image mimeType (\(stored.mimeType)) not accepted" }
            }
        }
        return nil
    }

    static func isDatetime(_ text: String) -> Bool {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if formatter.date(from: text) != nil { return true }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) != nil
    }

    static func isTID(_ text: String) -> Bool {
        let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz")
        let characters = Array(text)
        guard characters.count == 13, let first = alphabet.firstIndex(of: characters[0]), first < 16 else { return false }
        return characters.allSatisfy { alphabet.contains($0) }
    }

    static func bearer(_ call: Call) -> String? {
        guard let value = call.authorization, value.hasPrefix("Bearer ") else { return nil }
        let token = value.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func missing(_ property: String) -> Answer {
        .error(400, "InvalidRequest", "Input must have the property \"\(property)\"")
    }

    static func missingParameter(_ name: String) -> Answer {
        .error(400, "InvalidRequest", "Error: Params must have the property \"\(name)\"")
    }
}
