import HeraldCore
import Hummingbird

/// A campaign's channels, in order.
struct ChannelsResponse: ResponseEncodable {
    var channels: [HeraldCore.Channel]
}
