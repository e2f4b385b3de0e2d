import Analytics
import Foundation
import HeraldCore
import Storage

/// Send time per contact for a fan-out page: each contact with a known time zone and enough engagement history inside
/// the campaign's send window is due at their best local hour (``ContactSendTime/plan(history:timeZone:window:campaignTime:population:)``);
/// everyone else is left out of the answer, so the fan-out gives them the campaign's time.
struct ContactSendPlanner: Sendable {
    /// Where the contacts' engagement by local hour is read.
    let history: ContactEngagementHistory
    /// The local hours the campaign may reach a contact.
    let window: SendWindow
    /// The phase's time: the earliest a contact is sent, and the time of those without enough history.
    let campaignTime: Date

    /// The due time of each contact of `page` that has one of their own.
    func plan(_ page: [MessageStore.Recipient]) async throws -> [UUID: Date] {
        let zoned = page.compactMap { recipient -> (id: UUID, zone: TimeZone)? in
            guard let name = recipient.timeZone, let zone = TimeZone(identifier: name) else { return nil }
            return (recipient.id, zone)
        }
        guard !zoned.isEmpty else { return [:] }
        let hours = try await history.hours(of: zoned.map(\.id))
        var times: [UUID: Date] = [:]
        for contact in zoned {
            guard let engagement = hours[contact.id] else { continue }
            let time = ContactSendTime.plan(history: engagement, timeZone: contact.zone, window: window, campaignTime: campaignTime)
            if time != campaignTime { times[contact.id] = time }
        }
        return times
    }
}
