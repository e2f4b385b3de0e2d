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
        /// The content.
        public var text: String

        public init(key: String, text: String) {
            self.key = key
            self.text = text
        }
    }

    /// When the campaign's publications go out.
    public struct Schedule: Sendable, Equatable, Codable {
        /// A five-field cron expression or a macro (`@daily`).
        public var cron: String
        /// The IANA time zone the expression is read in.
        public var tz: String

        public init(cron: String, tz: String) {
            self.cron = cron
            self.tz = tz
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
    /// At least two content variants with distinct keys.
    public var variants: [Variant]

    enum CodingKeys: String, CodingKey {
        case name, slug, channels, destination, schedule, variants
        case primaryMetric = "primary_metric"
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
        variants: [Variant]
    ) throws(ValidationError) {
        self.name = name
        self.slug = slug ?? Slug.derive(from: name) ?? ""
        self.primaryMetric = primaryMetric
        self.channels = channels
        self.destination = destination
        self.schedule = schedule
        self.variants = variants
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
            document = try Yams.load(yaml: text)
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
        let known: Set<String> = ["name", "slug", "primary_metric", "channels", "destination", "schedule", "variants"]
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
        try self.init(
            name: name,
            slug: slug,
            primaryMetric: metric ?? .click,
            channels: channels,
            destination: destination,
            schedule: schedule,
            variants: variants
        )
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
            let cron = schedule.cron.trimmingCharacters(in: .whitespaces)
            let fields = cron.split(separator: " ", omittingEmptySubsequences: true)
            guard cron.hasPrefix("@") || fields.count == 5 else {
                throw ValidationError(
                    field: "schedule.cron",
                    reason:
                        "\"\(schedule.cron)\" has \(fields.count) fields; expected 5 (minute hour day-of-month month day-of-week) or a macro like @daily"
                )
            }
        }
        guard variants.count >= 2 else {
            throw ValidationError(field: "variants", reason: "needs at least 2 variants to compare, found \(variants.count)")
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
        guard let list = value as? [Any] else {
            throw ValidationError(field: "channels", reason: "must be a list of \(Channel.names), found \(typeName(value))")
        }
        var channels: [Channel] = []
        for (index, item) in list.enumerated() {
            let field = "channels[\(index)]"
            channels.append(try Channel(parsing: try requiredString(item, field: field), field: field))
        }
        return channels
    }

    private static func schedule(_ value: Any) throws(ValidationError) -> Schedule {
        guard let mapping = value as? [String: Any] else {
            throw ValidationError(field: "schedule", reason: "must be a mapping like {cron: \"0 9 * * MON-FRI\", tz: Europe/Berlin}")
        }
        if let unknown = mapping.keys.sorted().first(where: { $0 != "cron" && $0 != "tz" }) {
            throw ValidationError(field: "schedule.\(unknown)", reason: "unknown field (expected cron, tz)")
        }
        let cron = try requiredString(mapping["cron"], field: "schedule.cron")
        let tz = try mapping["tz"].map { value throws(ValidationError) in try requiredString(value, field: "schedule.tz") }
        return Schedule(cron: cron, tz: tz ?? "UTC")
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
            if let unknown = mapping.keys.sorted().first(where: { $0 != "key" && $0 != "text" }) {
                throw ValidationError(field: "\(field).\(unknown)", reason: "unknown field (expected key, text)")
            }
            let key: String
            switch mapping["key"] {
            case nil, is NSNull: key = defaultKey(at: index)
            case let string as String: key = string
            case let number as Int: key = String(number)
            default: throw ValidationError(field: "\(field).key", reason: "must be a string, found \(typeName(mapping["key"]))")
            }
            variants.append(Variant(key: key, text: try requiredString(mapping["text"], field: "\(field).text")))
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
