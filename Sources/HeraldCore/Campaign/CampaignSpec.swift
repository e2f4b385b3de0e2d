import Foundation
import Yams

/// A campaign as a user writes it (JSON or YAML), validated.
///
/// ```yaml
/// name: Trailblazer spring sale
/// primary_metric: click
/// channels: [x, instagram]
/// destination: https://example.com/shoes
/// schedule: {cron: "0 9 * * MON-FRI", tz: Europe/Berlin}
/// variants:
///   - {key: A, text: "Trail season is here. 20% off this weekend."}
///   - {key: B, text: "Ready for your first ultra? Shop the sale."}
/// ```
public struct CampaignSpec: Sendable, Equatable, Codable {
    /// A content variant of the spec.
    public struct Variant: Sendable, Equatable, Codable {
        /// Short label, unique within the campaign (`A`, `B`...).
        public var key: String
        /// The content (for an email variant, the plain-text body).
        public var text: String
        /// The channels it was written for; nil: every channel of the campaign.
        public var channels: [Channel]?
        /// An email variant's subject, preheader and body.
        public var email: EmailContent?
        /// The images it carries (files or URLs, each with alt text), in order; read when the campaign is created.
        public var images: [VariantImage]

        public init(key: String, text: String, channels: [Channel]? = nil, email: EmailContent? = nil, images: [VariantImage] = []) {
            self.key = key
            self.text = text
            self.channels = channels
            self.email = email
            self.images = images
        }

        enum CodingKeys: String, CodingKey {
            case key, text, channels, email, images
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            text = try container.decode(String.self, forKey: .text)
            channels = try container.decodeIfPresent([Channel].self, forKey: .channels)
            email = try container.decodeIfPresent(EmailContent.self, forKey: .email)
            images = try container.decodeIfPresent([VariantImage].self, forKey: .images) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(text, forKey: .text)
            try container.encodeIfPresent(channels, forKey: .channels)
            try container.encodeIfPresent(email, forKey: .email)
            if !images.isEmpty { try container.encode(images, forKey: .images) }
        }

        /// The channels it goes to in a campaign with `campaignChannels`, in the campaign's order.
        public func channels(in campaignChannels: [Channel]) -> [Channel] {
            guard let channels else { return campaignChannels }
            return campaignChannels.filter(channels.contains)
        }
    }

    /// When the campaign's publications go out, and when that ends.
    public struct Schedule: Sendable, Equatable, Codable {
        /// A five-field cron expression or a macro (`@daily`).
        public var cron: String
        /// The IANA time zone the expression is read in.
        public var tz: String
        /// No fire after this instant; nil: no end date.
        public var until: Date?
        /// At most this many fires; nil: no limit.
        public var count: Int?

        public init(cron: String, tz: String, until: Date? = nil, count: Int? = nil) {
            self.cron = cron
            self.tz = tz
            self.until = until
            self.count = count
        }

        enum CodingKeys: String, CodingKey {
            case cron, tz, until, count
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cron = try container.decode(String.self, forKey: .cron)
            tz = try container.decode(String.self, forKey: .tz)
            until = try container.decodeIfPresent(String.self, forKey: .until).flatMap { try? Timestamp.parse($0) }
            count = try container.decodeIfPresent(Int.self, forKey: .count)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(cron, forKey: .cron)
            try container.encode(tz, forKey: .tz)
            try container.encodeIfPresent(until.map(Timestamp.format), forKey: .until)
            try container.encodeIfPresent(count, forKey: .count)
        }
    }

    /// Display name.
    public var name: String
    /// URL-safe identifier, unique within the workspace.
    public var slug: String
    /// The event kind counted as a success, or `revenue` (conversion value per impression); trials are impressions.
    public var primaryMetric: Metric
    /// Where the campaign publishes, in order, without repeats.
    public var channels: [Channel]
    /// Where tracking links redirect (http or https).
    public var destination: String?
    /// The publication schedule.
    public var schedule: Schedule?
    /// At least one content variant (two or more make a test), with distinct keys.
    public var variants: [Variant]
    /// `draft` (nothing publishes until `campaigns start`) or `scheduled` (the default).
    public var status: CampaignStatus
    /// The connected account (by name) each channel publishes through; a channel not named uses the workspace's only
    /// account of its kind.
    public var accounts: [Channel: String]
    /// A rehearsal: posts go to the dry-run sink only, nothing leaves Herald, and everything that shows it says so.
    public var dryRun: Bool
    /// Who an email or SMS campaign sends to (a contact list, a test share); required for those channels unless a dry run.
    public var audience: CampaignAudience?
    /// What autopilot does after each analysis, within which guard rails; nil: off.
    public var autopilot: CampaignAutopilot?
    /// The planned test (its horizon in impressions); nil: analyses use an always-valid test.
    public var design: CampaignDesign?

    enum CodingKeys: String, CodingKey {
        case name, slug, channels, destination, schedule, variants, status, accounts, audience, autopilot, design
        case primaryMetric = "primary_metric"
        case dryRun = "dry_run"
    }

    /// The longest name accepted, in characters.
    public static let maximumNameLength = 200
    /// The longest variant text accepted, in characters.
    public static let maximumTextLength = 10_000
    /// The most variants a campaign can test at once.
    public static let maximumVariants = 26

    /// Builds and validates a spec.
    public init(
        name: String,
        slug: String? = nil,
        primaryMetric: Metric = .click,
        channels: [Channel],
        destination: String? = nil,
        schedule: Schedule? = nil,
        variants: [Variant],
        status: CampaignStatus = .scheduled,
        accounts: [Channel: String] = [:],
        dryRun: Bool = false,
        audience: CampaignAudience? = nil,
        autopilot: CampaignAutopilot? = nil,
        design: CampaignDesign? = nil
    ) throws(ValidationError) {
        self.audience = audience
        self.autopilot = autopilot
        self.design = design
        self.accounts = accounts
        self.dryRun = dryRun
        self.name = name
        self.slug = slug ?? Slug.derive(from: name) ?? ""
        self.primaryMetric = primaryMetric
        self.channels = channels
        self.destination = destination
        self.schedule = schedule
        self.variants = variants
        self.status = status
        try validate()
    }

    /// Parses JSON or YAML text (JSON is read as YAML, which contains it) and validates it.
    ///
    /// - Parameters:
    ///   - text: The document.
    ///   - source: The file name or request it came from, used as the location of errors.
    /// - Throws: ``ValidationError`` naming the field that is wrong.
    public init(parsing text: String, source: String) throws(ValidationError) {
        let document: Any?
        do {
            // Composed first and checked: Yams's loader stops the process on a key that is not a scalar (`{[a]: b}`).
            let node = try Yams.compose(yaml: text)
            if let reason = node.flatMap(Self.unsupportedKey(in:)) {
                throw ValidationError(location: source, field: "", reason: reason)
            }
            document = node.map { Constructor.default.any(from: $0) }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError(location: source, field: "", reason: "not valid JSON or YAML: \(Self.describe(error))")
        }
        do {
            try self.init(document: document)
        } catch {
            throw error.at(source)
        }
    }

    /// Builds a spec from a decoded JSON/YAML tree (dictionaries, arrays, strings, numbers).
    public init(document: Any?) throws(ValidationError) {
        guard let root = document as? [String: Any] else {
            throw ValidationError(field: "", reason: "expected a mapping with name, channels and variants")
        }
        let known: Set<String> = [
            "name", "slug", "primary_metric", "channels", "destination", "schedule", "variants", "status", "accounts", "dry_run",
            "audience", "autopilot", "design",
        ]
        if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError(
                field: unknown,
                reason: "unknown field (expected one of \(known.sorted().joined(separator: ", ")))"
            )
        }
        let name = try Self.requiredString(root["name"], field: "name")
        let slug = try root["slug"].map { value throws(ValidationError) in try Self.requiredString(value, field: "slug") }
        let metric = try root["primary_metric"].map { value throws(ValidationError) in
            try Self.primaryMetric(try Self.requiredString(value, field: "primary_metric"))
        }
        let channels = try Self.channels(root["channels"])
        let destination = try root["destination"].map { value throws(ValidationError) in
            try Self.requiredString(value, field: "destination")
        }
        let schedule = try root["schedule"].map { value throws(ValidationError) in try Self.schedule(value) }
        let variants = try Self.variants(root["variants"])
        let status = try root["status"].map { value throws(ValidationError) in
            let text = try Self.requiredString(value, field: "status")
            guard let status = CampaignStatus(rawValue: text), status == .draft || status == .scheduled else {
                throw ValidationError(field: "status", reason: "\"\(text)\" is not draft or scheduled (a new campaign starts as one of them)")
            }
            return status
        }
        let accounts = try Self.accounts(root["accounts"])
        let dryRun = try root["dry_run"].map { value throws(ValidationError) in
            guard let flag = value as? Bool else {
                throw ValidationError(field: "dry_run", reason: "expected true or false, found \(Self.typeName(value))")
            }
            return flag
        }
        let audience = try root["audience"].flatMap { value throws(ValidationError) in
            value is NSNull ? nil : try CampaignAudience.parse(value)
        }
        let autopilot = try root["autopilot"].flatMap { value throws(ValidationError) in
            value is NSNull ? nil : try CampaignAutopilot.parse(value)
        }
        let design = try root["design"].flatMap { value throws(ValidationError) in
            value is NSNull ? nil : try CampaignDesign.parse(value)
        }
        try self.init(
            name: name,
            slug: slug,
            primaryMetric: metric ?? .click,
            channels: channels,
            destination: destination,
            schedule: schedule,
            variants: variants,
            status: status ?? .scheduled,
            accounts: accounts,
            dryRun: dryRun ?? false,
            audience: audience,
            autopilot: autopilot,
            design: design
        )
    }

    /// `accounts: {mastodon: brand}`: channel → connected account name.
    static func accounts(_ value: Any?) throws(ValidationError) -> [Channel: String] {
        switch value {
        case nil, is NSNull: return [:]
        case let mapping as [String: Any]:
            var accounts: [Channel: String] = [:]
            for key in mapping.keys.sorted() {
                let channel = try Channel(parsing: key, field: "accounts.\(key)")
                let name = try requiredString(mapping[key], field: "accounts.\(key)")
                accounts[channel] = name
            }
            return accounts
        default:
            throw ValidationError(field: "accounts", reason: "expected a mapping of channel to account name, found \(typeName(value))")
        }
    }

    /// Checks every field; throws the first problem found.
    public func validate() throws(ValidationError) {
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedName.isEmpty else { throw ValidationError(field: "name", reason: "must not be empty") }
        guard name.count <= Self.maximumNameLength else {
            throw ValidationError(field: "name", reason: "is \(name.count) characters; at most \(Self.maximumNameLength)")
        }
        guard !slug.isEmpty else {
            throw ValidationError(field: "slug", reason: "cannot be derived from the name; give one (e.g. spring-sale)")
        }
        guard Slug.isValid(slug) else {
            throw ValidationError(
                field: "slug",
                reason:
                    "\"\(slug)\" must be lowercase letters, digits and hyphens, starting with a letter or digit, at most \(Slug.maximumLength) characters"
            )
        }
        guard !channels.isEmpty else {
            throw ValidationError(field: "channels", reason: "needs at least one of \(Channel.names)")
        }
        var seenChannels = Set<Channel>()
        for (index, channel) in channels.enumerated() where !seenChannels.insert(channel).inserted {
            throw ValidationError(field: "channels[\(index)]", reason: "\"\(channel.rawValue)\" is listed twice")
        }
        if let destination { try Self.validateDestination(destination) }
        if let schedule {
            guard TimeZone(identifier: schedule.tz) != nil else {
                throw ValidationError(field: "schedule.tz", reason: "\"\(schedule.tz)\" is not an IANA time zone (e.g. Europe/Berlin)")
            }
            // One expression, or several separated by `;` (a list, as autopilot's schedule moves write).
            for part in schedule.cron.split(separator: ";", omittingEmptySubsequences: false) {
                let cron = part.trimmingCharacters(in: .whitespaces)
                let fields = cron.split(separator: " ", omittingEmptySubsequences: true)
                guard cron.hasPrefix("@") || fields.count == 5 else {
                    throw ValidationError(
                        field: "schedule.cron",
                        reason:
                            "\"\(cron)\" has \(fields.count) fields; expected 5 (minute hour day-of-month month day-of-week) or a macro like @daily"
                    )
                }
            }
            if let count = schedule.count, count < 1 {
                throw ValidationError(field: "schedule.count", reason: "is \(count); a schedule fires at least once")
            }
        }
        guard status == .draft || status == .scheduled else {
            throw ValidationError(field: "status", reason: "\"\(status.rawValue)\" is not draft or scheduled (a new campaign starts as one of them)")
        }
        // A draft may start with no variant: it waits for the variants a brief generates (the back office's
        // "create from a brief"), and publishes nothing until one is approved and it is started.
        guard !variants.isEmpty || status == .draft else {
            throw ValidationError(field: "variants", reason: "needs at least 1 variant (2 or more make a test)")
        }
        guard variants.count <= Self.maximumVariants else {
            throw ValidationError(field: "variants", reason: "has \(variants.count) variants; at most \(Self.maximumVariants)")
        }
        var seenKeys = Set<String>()
        for (index, variant) in variants.enumerated() {
            guard Self.isValidKey(variant.key) else {
                throw ValidationError(
                    field: "variants[\(index)].key",
                    reason: "\"\(variant.key)\" must be 1 to 32 letters, digits, '_' or '-'"
                )
            }
            guard seenKeys.insert(variant.key).inserted else {
                throw ValidationError(field: "variants[\(index)].key", reason: "\"\(variant.key)\" is used by another variant")
            }
            guard !variant.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError(field: "variants[\(index)].text", reason: "must not be empty")
            }
            guard variant.text.count <= Self.maximumTextLength else {
                throw ValidationError(
                    field: "variants[\(index)].text",
                    reason: "is \(variant.text.count) characters; at most \(Self.maximumTextLength)"
                )
            }
            try validateChannels(of: variant, at: index)
            try validateImages(of: variant, at: index)
        }
        for channel in accounts.keys.sorted(by: { $0.rawValue < $1.rawValue }) where !channels.contains(channel) {
            throw ValidationError(field: "accounts.\(channel.rawValue)", reason: "\(channel.rawValue) is not one of the campaign's channels")
        }
        for (channel, name) in accounts where name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError(field: "accounts.\(channel.rawValue)", reason: "must name a connected account")
        }
        for channel in channels where !variants.isEmpty && !variants.contains(where: { $0.channels(in: channels).contains(channel) }) {
            throw ValidationError(
                field: "channels",
                reason: "no variant is written for \(channel.rawValue); give one `channels: [\(channel.rawValue)]` or remove the channel"
            )
        }
        try validateAudience()
        if design != nil, primaryMetric.isValue {
            throw ValidationError(
                field: "design",
                reason: "plans a test of rates; a campaign on revenue is scored always-valid (remove design, or choose a rate metric)"
            )
        }
    }

    /// An audience only for a campaign that sends to one (email, SMS), and one for every such campaign that is not a dry run.
    private func validateAudience() throws(ValidationError) {
        let sending = channels.filter(\.splitsAudience)
        if let audience {
            try audience.validate()
            guard !sending.isEmpty else {
                throw ValidationError(field: "audience", reason: "only an email or SMS campaign sends to a contact list")
            }
        } else if !dryRun, let channel = sending.first {
            throw ValidationError(
                field: "audience",
                reason:
                    "is required: \(channel.rawValue) goes to a contact list; give audience: {list: NAME, test_share: 0.2} "
                    + "(create the list with `herald lists create NAME`), or make the campaign a dry run (dry_run: true)"
            )
        }
    }

    /// A variant's own channels: listed once each, all of them the campaign's; email fields only for email.
    private func validateChannels(of variant: Variant, at index: Int) throws(ValidationError) {
        if let own = variant.channels {
            guard !own.isEmpty else {
                throw ValidationError(field: "variants[\(index)].channels", reason: "is empty; leave it out to use every channel of the campaign")
            }
            var seen = Set<Channel>()
            for (position, channel) in own.enumerated() {
                guard seen.insert(channel).inserted else {
                    throw ValidationError(field: "variants[\(index)].channels[\(position)]", reason: "\"\(channel.rawValue)\" is listed twice")
                }
                guard channels.contains(channel) else {
                    throw ValidationError(
                        field: "variants[\(index)].channels[\(position)]",
                        reason: "\"\(channel.rawValue)\" is not one of the campaign's channels (\(channels.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
            }
        }
        let goesByEmail = variant.channels(in: channels).contains(.email)
        if let email = variant.email {
            guard goesByEmail else {
                throw ValidationError(field: "variants[\(index)].subject", reason: "only an email variant has a subject, preheader and body")
            }
            guard !email.subject.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError(field: "variants[\(index)].subject", reason: "must not be empty")
            }
            guard email.preheader.count <= EmailContent.maximumPreheaderLength else {
                throw ValidationError(
                    field: "variants[\(index)].preheader",
                    reason: "is \(email.preheader.count) characters; at most \(EmailContent.maximumPreheaderLength)"
                )
            }
            guard !email.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError(field: "variants[\(index)].body", reason: "must not be empty")
            }
        } else if goesByEmail {
            throw ValidationError(
                field: "variants[\(index)].subject",
                reason: "is required: the variant goes out by email (give subject, and optionally preheader and body)"
            )
        }
    }

    /// A variant's images: at most ``VariantImage/maximumImages``, each with alt text of a length every channel takes.
    private func validateImages(of variant: Variant, at index: Int) throws(ValidationError) {
        guard variant.images.count <= VariantImage.maximumImages else {
            throw ValidationError(
                field: "variants[\(index)].images",
                reason: "has \(variant.images.count) images; at most \(VariantImage.maximumImages)"
            )
        }
        for (position, image) in variant.images.enumerated() {
            try image.validate(field: variant.images.count == 1 ? "variants[\(index)].image" : "variants[\(index)].images[\(position)]")
        }
    }

    /// The key of the variant at `index` when none is given: A, B, ... Z, then AA, AB...
    public static func defaultKey(at index: Int) -> String {
        var number = index
        var key = ""
        repeat {
            key.insert(Character(Unicode.Scalar(UInt8(65 + number % 26))), at: key.startIndex)
            number = number / 26 - 1
        } while number >= 0
        return key
    }

    // MARK: - Field parsers

    private static func primaryMetric(_ text: String) throws(ValidationError) -> Metric {
        try Metric.parse(text)
    }

    private static func requiredString(_ value: Any?, field: String) throws(ValidationError) -> String {
        switch value {
        case nil, is NSNull:
            throw ValidationError(field: field, reason: "is required")
        case let string as String:
            return string
        default:
            throw ValidationError(field: field, reason: "must be a string, found \(typeName(value))")
        }
    }

    private static func channels(_ value: Any?) throws(ValidationError) -> [Channel] {
        guard let value, !(value is NSNull) else {
            throw ValidationError(field: "channels", reason: "is required: a list of \(Channel.names)")
        }
        return try channelList(value, field: "channels")
    }

    private static func channelList(_ value: Any, field: String) throws(ValidationError) -> [Channel] {
        guard let list = value as? [Any] else {
            throw ValidationError(field: field, reason: "must be a list of \(Channel.names), found \(typeName(value))")
        }
        var channels: [Channel] = []
        for (index, item) in list.enumerated() {
            let itemField = "\(field)[\(index)]"
            channels.append(try Channel(parsing: try requiredString(item, field: itemField), field: itemField))
        }
        return channels
    }

    private static func schedule(_ value: Any) throws(ValidationError) -> Schedule {
        guard let mapping = value as? [String: Any] else {
            throw ValidationError(field: "schedule", reason: "must be a mapping like {cron: \"0 9 * * MON-FRI\", tz: Europe/Berlin}")
        }
        let known: Set<String> = ["cron", "tz", "until", "count"]
        if let unknown = mapping.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError(field: "schedule.\(unknown)", reason: "unknown field (expected cron, tz, until, count)")
        }
        let cron = try requiredString(mapping["cron"], field: "schedule.cron")
        let tz = try mapping["tz"].map { value throws(ValidationError) in try requiredString(value, field: "schedule.tz") }
        var until: Date?
        switch mapping["until"] {
        case nil, is NSNull: break
        case let date as Date: until = date
        case let text as String:
            do {
                until = try Timestamp.parse(text)
            } catch {
                throw ValidationError(
                    field: "schedule.until",
                    reason: "\"\(text)\" is not an ISO 8601 time with an offset (e.g. 2026-12-31T18:00:00+01:00)"
                )
            }
        default: throw ValidationError(field: "schedule.until", reason: "must be an ISO 8601 time, found \(typeName(mapping["until"]))")
        }
        var count: Int?
        switch mapping["count"] {
        case nil, is NSNull: break
        case let number as Int: count = number
        default: throw ValidationError(field: "schedule.count", reason: "must be a whole number of fires, found \(typeName(mapping["count"]))")
        }
        return Schedule(cron: cron, tz: tz ?? "UTC", until: until, count: count)
    }

    private static func variants(_ value: Any?) throws(ValidationError) -> [Variant] {
        guard let value, !(value is NSNull) else {
            throw ValidationError(field: "variants", reason: "is required: a list of at least 2 {key, text}")
        }
        guard let list = value as? [Any] else {
            throw ValidationError(field: "variants", reason: "must be a list of {key, text}, found \(typeName(value))")
        }
        var variants: [Variant] = []
        for (index, item) in list.enumerated() {
            let field = "variants[\(index)]"
            if let text = item as? String {
                variants.append(Variant(key: defaultKey(at: index), text: text))
                continue
            }
            guard let mapping = item as? [String: Any] else {
                throw ValidationError(field: field, reason: "must be a mapping {key, text} or a string, found \(typeName(item))")
            }
            let knownKeys: Set<String> = ["key", "text", "channels", "subject", "preheader", "body", "image", "images"]
            if let unknown = mapping.keys.sorted().first(where: { !knownKeys.contains($0) }) {
                throw ValidationError(field: "\(field).\(unknown)", reason: "unknown field (expected \(knownKeys.sorted().joined(separator: ", ")))")
            }
            let key: String
            switch mapping["key"] {
            case nil, is NSNull: key = defaultKey(at: index)
            case let string as String: key = string
            case let number as Int: key = String(number)
            default: throw ValidationError(field: "\(field).key", reason: "must be a string, found \(typeName(mapping["key"]))")
            }
            let own = try mapping["channels"].map { value throws(ValidationError) in try Self.channelList(value, field: "\(field).channels") }
            let subject = try mapping["subject"].map { value throws(ValidationError) in try Self.requiredString(value, field: "\(field).subject") }
            let preheader = try mapping["preheader"].map { value throws(ValidationError) in
                try Self.requiredString(value, field: "\(field).preheader")
            }
            let body = try mapping["body"].map { value throws(ValidationError) in try Self.requiredString(value, field: "\(field).body") }
            // An email variant's text is its plain-text body: either may be given for the other.
            guard
                let text = try mapping["text"].map({ value throws(ValidationError) in try Self.requiredString(value, field: "\(field).text") })
                    ?? body
            else { throw ValidationError(field: "\(field).text", reason: "is required") }
            var email: EmailContent?
            if subject != nil || preheader != nil || body != nil {
                guard let subject else {
                    throw ValidationError(field: "\(field).subject", reason: "is required with a preheader or body")
                }
                email = EmailContent(subject: subject, preheader: preheader ?? "", body: body ?? text)
            }
            let images = try VariantImage.images(image: mapping["image"], images: mapping["images"], field: field)
            variants.append(Variant(key: key, text: text, channels: own, email: email, images: images))
        }
        return variants
    }

    private static func validateDestination(_ destination: String) throws(ValidationError) {
        guard let url = URL(string: destination), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw ValidationError(field: "destination", reason: "\"\(destination)\" is not an http or https URL with a host")
        }
    }

    private static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.count <= 32
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
            }
    }

    private static func typeName(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "nothing"
        case is String: return "a string"
        case is Bool: return "a boolean"
        case is Int, is Double: return "a number"
        case is [Any]: return "a list"
        case is [String: Any]: return "a mapping"
        default: return "\(type(of: value!))"
        }
    }

    private static func describe(_ error: any Error) -> String {
        String(describing: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
