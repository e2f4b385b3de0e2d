import HeraldCore

/// `PUT /v1/campaigns/{campaign}/channels`: `{"channels": ["x", "email"]}`, the campaign's channels in order.
struct SetChannelsRequest: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case channels
    }

    var channels: [HeraldCore.Channel]

    init(from decoder: any Decoder) throws {
        let fields = try decoder.requestObject(keyedBy: CodingKeys.self)
        guard let names = try fields.strings(.channels) else { throw ValidationError(field: "channels", reason: "is required") }
        var channels: [HeraldCore.Channel] = []
        for (index, name) in names.enumerated() {
            channels.append(try HeraldCore.Channel(parsing: name, field: "channels[\(index)]"))
        }
        self.channels = channels
    }
}
