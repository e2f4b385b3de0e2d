import Foundation

/// An image a variant carries, as a campaign file or request names it: a file or a URL, with its alt text.
///
/// ```yaml
/// variants:
///   - {key: A, text: "Trail season is here.", image: {file: shoes.png, alt: "A pair of red trail shoes on a rock"}}
///   - {key: B, text: "Ready for your first ultra?", image: {url: "https://example.com/ultra.jpg", alt: "A runner at dawn"}}
/// ```
///
/// The bytes are read (a file, relative to the campaign file's folder) or fetched (a URL) when the campaign is
/// created, and stored in the database, so any worker on any machine can send them.
public struct VariantImage: Sendable, Equatable, Codable {
    /// Where the image comes from.
    public enum Source: Sendable, Equatable, Codable {
        /// A file on the machine that creates the campaign (relative paths: relative to the campaign file's folder).
        case file(String)
        /// An http or https URL, fetched once when the campaign is created.
        case url(String)
    }

    /// Where the image comes from.
    public var source: Source
    /// The description read to people who cannot see the image (required).
    public var alt: String

    /// The longest alt text accepted, in characters: Mastodon's limit for a media description (1,500); Bluesky's
    /// app allows 2,000 and X 1,000 (checked per channel in `ChannelMediaRules`).
    public static let maximumAltLength = 1_500
    /// The most images one variant may carry (Bluesky, Mastodon and X all take 4 per post).
    public static let maximumImages = 4

    public init(source: Source, alt: String) {
        self.source = source
        self.alt = alt
    }

    /// Checks the alt text and the source; `field` is where the image sits (`variants[1].image`).
    public func validate(field: String) throws(ValidationError) {
        guard !alt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError(field: "\(field).alt", reason: "is required (describe the image for people who cannot see it)")
        }
        guard alt.count <= Self.maximumAltLength else {
            throw ValidationError(field: "\(field).alt", reason: "is \(alt.count) characters; at most \(Self.maximumAltLength)")
        }
        switch source {
        case .file(let path):
            guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError(field: "\(field).file", reason: "must not be empty")
            }
        case .url(let text):
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = url.host, !host.isEmpty
            else {
                throw ValidationError(field: "\(field).url", reason: "\"\(text)\" is not an http or https URL with a host")
            }
        }
    }

    /// Reads `{file: PATH, alt: "…"}` or `{url: URL, alt: "…"}` from a decoded JSON/YAML tree.
    ///
    /// - Parameter field: Where the mapping sits (`variants[1].image`), for errors.
    public init(document: Any?, field: String) throws(ValidationError) {
        guard let mapping = document as? [String: Any] else {
            throw ValidationError(field: field, reason: "must be a mapping like {file: shoes.png, alt: \"Red trail shoes\"} or {url: …, alt: …}")
        }
        let known: Set<String> = ["file", "url", "alt"]
        if let unknown = mapping.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError(field: "\(field).\(unknown)", reason: "unknown field (expected file or url, and alt)")
        }
        func text(_ key: String) throws(ValidationError) -> String? {
            switch mapping[key] {
            case nil, is NSNull: return nil
            case let string as String: return string
            default: throw ValidationError(field: "\(field).\(key)", reason: "must be a string")
            }
        }
        let file = try text("file")
        let url = try text("url")
        let source: Source
        switch (file, url) {
        case (let file?, nil): source = .file(file)
        case (nil, let url?): source = .url(url)
        case (.some, .some): throw ValidationError(field: field, reason: "has both file and url; give one of them")
        case (nil, nil): throw ValidationError(field: "\(field).file", reason: "is required (or url): where the image is")
        }
        self.init(source: source, alt: try text("alt") ?? "")
        try validate(field: field)
    }

    /// Reads a variant's `image` (one mapping) or `images` (a list of them); both absent: no image.
    ///
    /// - Parameter field: The variant's place (`variants[1]`; empty for a request that is the variant).
    public static func images(image: Any?, images: Any?, field: String) throws(ValidationError) -> [VariantImage] {
        let field = field.isEmpty ? "" : field + "."
        let hasImage = !(image == nil || image is NSNull)
        let hasImages = !(images == nil || images is NSNull)
        if hasImage, hasImages { throw ValidationError(field: "\(field)images", reason: "give image or images, not both") }
        if hasImage { return [try VariantImage(document: image, field: "\(field)image")] }
        guard hasImages else { return [] }
        guard let list = images as? [Any] else {
            throw ValidationError(field: "\(field)images", reason: "must be a list of {file or url, alt}")
        }
        guard list.count <= maximumImages else {
            throw ValidationError(field: "\(field)images", reason: "has \(list.count) images; at most \(maximumImages)")
        }
        var result: [VariantImage] = []
        for (index, item) in list.enumerated() { result.append(try VariantImage(document: item, field: "\(field)images[\(index)]")) }
        return result
    }
}
