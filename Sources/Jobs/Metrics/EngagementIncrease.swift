import Crypto
import Foundation
import HeraldCore

/// Turns pulled-back engagement counts into engagement events, so that collecting again never counts twice.
///
/// The rule: the `k`-th like of publication P is one event whose id is derived from its name,
/// `herald:engagement:<P>:like:<k>` (likewise `share`, `comment`, `impression`), and a publication has the events
/// numbered 1 up to the running maximum of its counts. A snapshot above what was counted before adds the events
/// numbered from the old maximum + 1 to the new count; a snapshot at or below it adds none (a decrease, such as an
/// unlike, is kept as a snapshot only, and a later new like up to the old maximum is not counted again). Since the ids
/// follow from the numbers, any sequence of snapshots, in any order, repeated or collected by two workers at once,
/// stores the same events: repeats are duplicates by id in the one ingestor.
///
/// ```swift
/// let events = EngagementIncrease.events(from: .zero, to: EngagementTotals(likes: 3, exposure: 40), ...)
/// // 3 like events (numbers 1...3) and 40 impression events (1...40)
/// ```
public enum EngagementIncrease {
    /// The event kinds pulled-back counts make, in the order their events are listed.
    public static let kinds: [EventKind] = [.impression, .like, .share, .comment]

    /// The events that take a publication from `counted` to `totals`: for each kind the numbers above `counted`'s
    /// count up to `totals`' count (none where `totals` is not higher).
    ///
    /// - Parameters:
    ///   - counted: What the publication's events already stand for (its highest totals so far).
    ///   - totals: What the new snapshot stands for.
    ///   - publication: The publication, its variant and channel, which every event names.
    ///   - time: The events' `occurred_at`: when the snapshot was taken.
    /// - Complexity: O(number of events made).
    public static func events(
        from counted: EngagementTotals,
        to totals: EngagementTotals,
        publication: UUID,
        variant: VariantID,
        channel: String,
        at time: Date
    ) -> [EngagementEvent] {
        var events: [EngagementEvent] = []
        for kind in kinds {
            let from = max(0, counted[kind])
            let to = totals[kind]
            guard to > from else { continue }
            events.reserveCapacity(events.count + to - from)
            for number in (from + 1)...to {
                events.append(
                    EngagementEvent(
                        id: eventID(publication: publication, kind: kind, number: number),
                        variantID: variant,
                        kind: kind,
                        occurredAt: time,
                        publicationID: publication,
                        channel: channel
                    )
                )
            }
        }
        return events
    }

    /// The id of a publication's `number`-th event of `kind`: a name-based UUID (RFC 9562 version 8, from the first 16
    /// bytes of the SHA-256 of `herald:engagement:<publication>:<kind>:<number>`), the same in every process.
    public static func eventID(publication: UUID, kind: EventKind, number: Int) -> EventID {
        let name = "herald:engagement:\(publication.uuidString.lowercased()):\(kind.rawValue):\(number)"
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
        return EventID(uuid)
    }
}
