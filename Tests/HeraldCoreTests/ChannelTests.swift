import HeraldCore
import Testing

@Suite struct ChannelTests {
    @Test func namesInAnyCaseAreChannels() throws {
        #expect(try Channel(parsing: "x", field: "channel") == .x)
        #expect(try Channel(parsing: "LinkedIn", field: "channel") == .linkedin)
        #expect(try Channel(parsing: "EMAIL"[...], field: "channel") == .email)
        #expect(Channel.names == "x, instagram, linkedin, facebook, mastodon, bluesky, webhook, email, sms")
    }

    @Test func anUnknownNameSaysWhichChannelsExist() {
        #expect(
            throws: ValidationError(
                field: "channels[1]",
                reason: "\"fax\" is not one of x, instagram, linkedin, facebook, mastodon, bluesky, webhook, email, sms"
            )
        ) {
            try Channel(parsing: "fax", field: "channels[1]")
        }
        #expect(
            throws: ValidationError(
                field: "--channel",
                reason: "\"\" is not one of x, instagram, linkedin, facebook, mastodon, bluesky, webhook, email, sms"
            )
        ) {
            try Channel(parsing: "", field: "--channel")
        }
    }
}
