import Crypto
import Foundation
import HeraldCore
import Storage
import Synchronization

/// Counts failed bearer-token attempts per client address and per token prefix, and says when an attempt must be
/// refused before the database is asked: a leaky bucket per key that fills by one per failure and drains at
/// ``TokenAttemptLimit/failures`` per ``TokenAttemptLimit/window``; a key whose bucket is full is refused until it
/// drains by one.
///
/// A token that succeeded recently in this process is never refused, so a client whose address or token prefix is being
/// guessed from keeps working. Only hashes of such tokens are kept, and at most ``rememberedTokens`` of them.
final class TokenAttemptLimiter: Sendable {
    /// Why an attempt was refused and when to try again.
    struct Refusal: Error, Sendable, Equatable {
        /// Which count is full: `address` or `prefix`.
        var scope: String
        /// Whole seconds until one more attempt is allowed (at least 1).
        var retryAfterSeconds: Int
    }

    /// Keys (addresses and prefixes) tracked at most; past it, drained keys are forgotten first.
    static let trackedKeys = 100_000
    /// Recently successful tokens remembered at most.
    static let rememberedTokens = 10_000

    struct Bucket {
        var level: Double
        var updated: ContinuousClock.Instant
    }

    struct State {
        var buckets: [String: Bucket] = [:]
        var goodTokens: Set<SHA256Digest> = []
    }

    let limit: TokenAttemptLimit
    private let state = Mutex(State())

    init(limit: TokenAttemptLimit) {
        self.limit = limit
    }

    /// The refusal for an attempt from `address` with `secret` (nil when the header held no bearer token), or nil to let
    /// it through.
    func refusal(address: String, secret: String?, now: ContinuousClock.Instant) -> Refusal? {
        guard limit.failures > 0 else { return nil }
        let good = secret.map { SHA256.hash(data: Data($0.utf8)) }
        return state.withLock { state in
            if let good, state.goodTokens.contains(good) { return nil }
            var refusal: Refusal?
            for (scope, key) in keys(address: address, secret: secret) {
                guard let bucket = state.buckets[key] else { continue }
                let level = drained(bucket, now: now)
                guard level > Double(limit.failures) - 1 else { continue }
                let wait = Int(((level - Double(limit.failures) + 1) / rate).rounded(.up))
                if wait > refusal?.retryAfterSeconds ?? 0 { refusal = Refusal(scope: scope, retryAfterSeconds: max(1, wait)) }
            }
            return refusal
        }
    }

    /// Counts a failed attempt (and forgets that its token once succeeded).
    ///
    /// - Returns: The scopes (`address`, `prefix`) this failure filled, so the caller logs the start of a refusal once.
    @discardableResult
    func failed(address: String, secret: String?, now: ContinuousClock.Instant) -> [String] {
        guard limit.failures > 0 else { return [] }
        let digest = secret.map { SHA256.hash(data: Data($0.utf8)) }
        return state.withLock { state in
            // A token that failed (revoked since it last worked) is counted like any other from now on.
            if let digest { state.goodTokens.remove(digest) }
            if state.buckets.count >= Self.trackedKeys { forgetDrained(&state, now: now) }
            var filled: [String] = []
            for (scope, key) in keys(address: address, secret: secret) {
                let level = state.buckets[key].map { drained($0, now: now) } ?? 0
                state.buckets[key] = Bucket(level: level + 1, updated: now)
                if level <= Double(limit.failures) - 1, level + 1 > Double(limit.failures) - 1 { filled.append(scope) }
            }
            return filled
        }
    }

    /// Remembers a token that authenticated, so it is never refused here.
    func succeeded(secret: String) {
        let digest = SHA256.hash(data: Data(secret.utf8))
        state.withLock { state in
            if state.goodTokens.count >= Self.rememberedTokens { state.goodTokens.removeAll(keepingCapacity: true) }
            state.goodTokens.insert(digest)
        }
    }

    /// Failures drained per second.
    private var rate: Double {
        Double(limit.failures) / max(limit.window.seconds, 0.001)
    }

    private func drained(_ bucket: Bucket, now: ContinuousClock.Instant) -> Double {
        max(0, bucket.level - max(0, (now - bucket.updated).seconds) * rate)
    }

    private func forgetDrained(_ state: inout State, now: ContinuousClock.Instant) {
        state.buckets = state.buckets.filter { drained($0.value, now: now) > 0 }
        // Still full of keys that are all filling (many addresses at once): start counting afresh rather than grow.
        if state.buckets.count >= Self.trackedKeys { state.buckets.removeAll(keepingCapacity: true) }
    }

    /// The counts an attempt belongs to: its address's and, for a bearer token, its prefix's.
    private func keys(address: String, secret: String?) -> [(String, String)] {
        var keys = [("address", "a:" + Self.addressKey(address))]
        if let secret, !secret.isEmpty {
            keys.append(("prefix", "p:" + Self.prefix(of: secret)))
        }
        return keys
    }

    /// The part of a token that names it without revealing it: Herald's prefix and six more characters.
    static func prefix(of secret: String) -> String { String(secret.prefix(TokenStore.tokenPrefix.count + 6)) }

    /// The key an address is counted under: an IPv4 address as it is, an IPv6 address by its first 64 bits (one
    /// client usually holds a whole /64), an IPv4-mapped IPv6 address as its IPv4 address.
    static func addressKey(_ address: String) -> String {
        guard address.contains(":") else { return address }
        let lowered = address.lowercased()
        if lowered.hasPrefix("::ffff:"), lowered.dropFirst(7).contains(".") { return String(lowered.dropFirst(7)) }
        let halves = lowered.components(separatedBy: "::")
        guard halves.count <= 2 else { return lowered }
        let head = halves[0].split(separator: ":", omittingEmptySubsequences: true).map(String.init)
        let tail = halves.count == 2 ? halves[1].split(separator: ":", omittingEmptySubsequences: true).map(String.init) : []
        var groups = head
        if halves.count == 2 { groups += Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) }
        groups += tail
        guard groups.count >= 4 else { return lowered }
        return groups.prefix(4).map { String(Int($0, radix: 16) ?? 0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
