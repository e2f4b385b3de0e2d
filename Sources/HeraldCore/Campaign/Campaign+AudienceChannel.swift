extension Campaign {
    /// The channel a campaign's audience is sent on, one message per contact: email when the campaign has it, else
    /// SMS; nil when it has no audience or neither channel. A campaign with both sends its list email (a contact gets
    /// one message per campaign), and its SMS goes out as publications.
    public var audienceChannel: Channel? {
        guard audience != nil else { return nil }
        if channels.contains(.email) { return .email }
        if channels.contains(.sms) { return .sms }
        return nil
    }
}
