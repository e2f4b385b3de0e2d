import Foundation
import HeraldCore
import Jobs
import PropertyBased
import Testing

/// The rule that turns pulled-back counts into engagement events (``EngagementIncrease``): whatever the snapshots,
/// their order and repeats, a publication's events of a kind number exactly the running maximum of its count.
struct EngagementIncreaseTests {
    static let publication = UUID(uuidString: "6f9619ff-8b86-d011-b42d-00c04fc964ff")!
    static let variant = VariantID(UUID(uuidString: "0b7c4a38-5a3f-4c61-9d2e-1f0a6b1c2d3e")!)
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// Random snapshots (likes, shares, comments, impressions or none), possibly repeated.
    static let snapshots = zip(Gen.int(in: 0...25), Gen.int(in: 0...12), Gen.int(in: 0...8), Gen.int(in: -1...60))
        .map { likes, shares, comments, impressions in
            EngagementSnapshot(
                publication: publication,
                takenAt: start,
                round: 1,
                likes: likes,
                shares: shares,
                comments: comments,
                impressions: impressions < 0 ? nil : impressions
            )
        }
        .array(of: 1...10)

    /// Folds snapshots the way the handler does: each counted against the running maximum before it.
    func fold(_ snapshots: [EngagementSnapshot], reach: Int?, stale: Bool = false) -> (events: [EngagementEvent], counted: EngagementTotals) {
        var counted = EngagementTotals.zero
        var events: [EngagementEvent] = []
        for (index, snapshot) in snapshots.enumerated() {
            guard let totals = EngagementTotals(snapshot, reach: reach) else { continue }
            // `stale`: a worker that read what was counted before another one stored its snapshot (or a crash between
            // ingesting and storing the snapshot) starts again from nothing.
            let from = stale ? .zero : counted
            events += EngagementIncrease.events(
                from: from,
                to: from.maximum(totals),
                publication: Self.publication,
                variant: Self.variant,
                channel: "mastodon",
                at: Self.start.addingTimeInterval(Double(index) * 3_600)
            )
            counted = counted.maximum(totals)
        }
        return (events, counted)
    }

    /// The events the ingestor keeps: the first of each id.
    func stored(_ events: [EngagementEvent]) -> [EngagementEvent] {
        var seen = Set<EventID>()
        return events.filter { seen.insert($0.id).inserted }
    }

    @Test func eventsOfAKindNumberTheRunningMaximumWhateverTheOrderAndRepeats() async {
        await propertyCheck(count: 200, input: Self.snapshots, Gen.int(in: -1...40)) { snapshots, reachOrNone in
            let reach = reachOrNone < 0 ? nil : reachOrNone
            // Shuffled and repeated: the same snapshots read again, in another order.
            var generator = SplitMix64(seed: UInt64(snapshots.count * 7_919 + (reach ?? 0)))
            let replayed = snapshots + snapshots.shuffled(using: &generator) + snapshots.reversed()
            for (sequence, stale) in [(snapshots, false), (replayed, false), (replayed, true)] {
                let events = stored(fold(sequence, reach: reach, stale: stale).events)
                let counted = sequence.compactMap { EngagementTotals($0, reach: reach) }
                let maximum = counted.reduce(EngagementTotals.zero) { $0.maximum($1) }
                for kind in EngagementIncrease.kinds {
                    #expect(events.filter { $0.kind == kind }.count == maximum[kind], "\(kind) over \(sequence)")
                }
                // Successes never exceed trials.
                #expect(maximum.exposure >= max(maximum.likes, maximum.shares, maximum.comments))
            }
            // Counted against the running maximum, no event is made twice; a stale start only repeats ids.
            let fresh = fold(replayed, reach: reach).events
            #expect(Set(fresh.map(\.id)).count == fresh.count)
            #expect(Set(fold(replayed, reach: reach, stale: true).events.map(\.id)) == Set(fresh.map(\.id)))
        }
    }

    @Test func anUnlikeFollowedByANewLikeCountsNothingNew() {
        let counts = [5, 4, 5, 3, 6]
        let snapshots = counts.map {
            EngagementSnapshot(publication: Self.publication, takenAt: Self.start, round: 1, likes: $0, shares: 0, comments: 0)
        }
        let events = fold(snapshots, reach: 100).events.filter { $0.kind == .like }
        #expect(events.count == 6)
        #expect(events.map(\.id) == (1...6).map { EngagementIncrease.eventID(publication: Self.publication, kind: .like, number: $0) })
    }

    @Test func eventsNameThePublicationChannelAndSnapshotTime() throws {
        let events = EngagementIncrease.events(
            from: EngagementTotals(likes: 1, exposure: 10),
            to: EngagementTotals(likes: 3, shares: 1, exposure: 12),
            publication: Self.publication,
            variant: Self.variant,
            channel: "bluesky",
            at: Self.start
        )
        #expect(events.map(\.kind) == [.impression, .impression, .like, .like, .share])
        #expect(events.allSatisfy { $0.publicationID == Self.publication && $0.channel == "bluesky" && $0.occurredAt == Self.start })
        #expect(events.allSatisfy { $0.variantID == Self.variant && $0.value == nil })
        // Going down adds nothing.
        #expect(
            EngagementIncrease.events(
                from: EngagementTotals(likes: 3, exposure: 12),
                to: EngagementTotals(likes: 2, exposure: 12),
                publication: Self.publication,
                variant: Self.variant,
                channel: "x",
                at: Self.start
            ).isEmpty
        )
    }

    @Test func idsAreNameBasedAndDistinct() throws {
        let id = EngagementIncrease.eventID(publication: Self.publication, kind: .like, number: 1)
        #expect(id == EngagementIncrease.eventID(publication: Self.publication, kind: .like, number: 1))
        // RFC 9562 version 8 (name-based, SHA-256), variant 10.
        #expect(id.description.dropFirst(14).first == "8")
        #expect("89ab".contains(id.description.dropFirst(19).first!))
        let other = UUID(uuidString: "0b7c4a38-5a3f-4c61-9d2e-1f0a6b1c2d3e")!
        var ids = Set<EventID>()
        for publication in [Self.publication, other] {
            for kind in EngagementIncrease.kinds {
                for number in 1...200 { ids.insert(EngagementIncrease.eventID(publication: publication, kind: kind, number: number)) }
            }
        }
        #expect(ids.count == 2 * 4 * 200)
    }

    @Test func exposureIsImpressionsOrReachAndNeverBelowAnEngagementCount() {
        let snapshot = EngagementSnapshot(publication: Self.publication, takenAt: Self.start, round: 1, likes: 30, shares: 2, comments: 1)
        // No impressions and no reach: exposure unknown, nothing may count.
        #expect(EngagementTotals(snapshot, reach: nil) == nil)
        #expect(EngagementTotals(snapshot, reach: 500) == EngagementTotals(likes: 30, shares: 2, comments: 1, exposure: 500))
        // Boosted beyond the followers: exposure raised to the likes.
        #expect(EngagementTotals(snapshot, reach: 10)?.exposure == 30)
        var reported = snapshot
        reported.impressions = 900
        #expect(EngagementTotals(reported, reach: 500)?.exposure == 900)
    }
}
