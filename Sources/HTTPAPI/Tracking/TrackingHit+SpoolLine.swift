import Foundation
import HeraldCore
import Storage

extension TrackingHit {
    /// The hit as one line of a tracking spool file, fields separated by spaces, ending in a newline:
    ///
    ///     h2 <event id> <kind> <unix µs> <publication|-> <workspace> <campaign> <variant> <channel> <0|1 bot> <client> <message|-> <detail|->
    ///
    /// (`h1` lines, written before audience messages, end after `<client>` and always name a publication.) `<client>` is `s:<day>:<hex hash>`, `p:<base64 of address NUL User-Agent>` or `-`. A line cut short by a crash
    /// (no newline) was never answered and is skipped when read.
    var spoolLine: [UInt8] {
        let client: String
        switch self.client {
        case .salted(let day, let hash): client = "s:\(day):\(TextEncoding.hex(hash))"
        case .plain(let address, let userAgent): client = "p:" + Data("\(address)\u{0}\(userAgent)".utf8).base64EncodedString()
        case .unknown: client = "-"
        }
        let micros = Int64((occurredAt.timeIntervalSince1970 * 1_000_000).rounded())
        let line =
            "h2 \(id.uuid.uuidString) \(kind.rawValue) \(micros) \(publication?.uuidString ?? "-") \(workspace.uuid.uuidString) "
            + "\(campaign.uuid.uuidString) \(variant.uuid.uuidString) \(channel) \(isBot ? 1 : 0) \(client) "
            + "\(message?.uuidString ?? "-") \(detail.flatMap(Self.spoolDetail) ?? "-")\n"
        return Array(line.utf8)
    }

    /// The hit a spool line holds (without its newline), or nil when the line is not one.
    init?(spoolLine line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        let isH2 = fields.count == 13 && fields[0] == "h2"
        guard isH2 || (fields.count == 11 && fields[0] == "h1"),
            let id = UUIDText.parse(fields[1]), let kind = EventKind(rawValue: String(fields[2])), let micros = Int64(fields[3]),
            isH2 ? fields[4] == "-" || UUIDText.parse(fields[4]) != nil : UUIDText.parse(fields[4]) != nil,
            let workspace = UUIDText.parse(fields[5]),
            let campaign = UUIDText.parse(fields[6]), let variant = UUIDText.parse(fields[7]), !fields[8].isEmpty,
            fields[9] == "0" || fields[9] == "1"
        else { return nil }
        let client: Client
        let text = fields[10]
        if text == "-" {
            client = .unknown
        } else if text.hasPrefix("s:") {
            let parts = text.dropFirst(2).split(separator: ":")
            guard parts.count == 2, let hash = TextEncoding.bytes(hex: String(parts[1])), hash.count == 32 else { return nil }
            client = .salted(day: String(parts[0]), hash: hash)
        } else if text.hasPrefix("p:"), let data = Data(base64Encoded: String(text.dropFirst(2))) {
            let parts = String(decoding: data, as: UTF8.self).split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
            client = .plain(address: String(parts.first ?? ""), userAgent: parts.count > 1 ? String(parts[1]) : "")
        } else {
            return nil
        }
        let message = isH2 && fields[11] != "-" ? UUIDText.parse(fields[11]) : nil
        guard !isH2 || fields[11] == "-" || message != nil else { return nil }
        let publication = UUIDText.parse(fields[4])
        guard publication != nil || message != nil else { return nil }
        self.init(
            id: EventID(id),
            publication: publication,
            workspace: WorkspaceID(workspace),
            campaign: CampaignID(campaign),
            variant: VariantID(variant),
            channel: String(fields[8]),
            kind: kind,
            at: Date(timeIntervalSince1970: Double(micros) / 1_000_000),
            isBot: fields[9] == "1",
            client: client,
            message: message,
            detail: isH2 && fields[12] != "-" ? String(fields[12]) : nil
        )
    }

    /// A detail as a spool field: letters, digits and `_` only (the sources of an unsubscribe), else none.
    static func spoolDetail(_ detail: String) -> String? {
        let allowed = !detail.isEmpty && detail.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        return allowed ? detail : nil
    }
}
