import Foundation
import HeraldCore

/// What images a channel takes with a post: how many, how large, which formats, how long their alt text may be, and
/// whether a post needs one.
///
/// | channel | images | bytes each | formats | alt text | source |
/// |---|---|---|---|---|---|
/// | bluesky | 4 | 1,000,000 | png, jpeg, gif, webp | 2,000 | `app.bsky.embed.images` lexicon (`maxLength: 4`, blob `maxSize: 1000000`); alt: the Bluesky app's limit (the lexicon sets none) |
/// | mastodon | 4 | 16 MiB | png, jpeg, gif, webp | 1,500 | mastodon.social's `/api/v2/instance` `image_size_limit` 16777216 (older or smaller instances: 8–10 MB); description limit 1,500 |
/// | x | 4 | 5,000,000 | png, jpeg, gif, webp | 1,000 | docs.x.com/x-api/media: image 5 MB (GIF 15 MB; Herald holds every image to 5 MB); alt text 1,000 (media metadata) |
/// | linkedin | 20 | 10,000,000 | png, jpeg, gif | — | Images API lists JPG, GIF, PNG and a pixel limit (36,152,320); the byte limit is Herald's assumption, not a documented figure; multi-image posts take up to 20 |
/// | instagram | 10, at least 1 when publishing | 8,000,000 | jpeg | — | Graph API content publishing: JPEG only, 8 MB, aspect ratio 4:5 to 1.91:1; carousels up to 10 |
/// | facebook | 4 | 10,000,000 | png, jpeg, gif | — | not checked against a current doc: Herald's conservative choice |
/// | webhook | 4 | 16 MiB | png, jpeg, gif, webp | — | Herald's own limit (the receiver decides) |
/// | email | none | | | | Herald's email does not carry images yet: refused rather than dropped |
/// | sms | none | | | | SMS is text only (no MMS) |
public struct ChannelMediaRules: Sendable, Equatable {
    /// One reason a variant's images cannot go out on a channel.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// A stable code for programs.
        public enum Code: String, Sendable {
            case notAccepted = "images_not_accepted"
            case required = "image_required"
            case tooMany = "too_many_images"
            case tooLarge = "image_too_large"
            case format = "image_format"
            case aspectRatio = "image_aspect_ratio"
            case altTooLong = "alt_text_too_long"
        }

        public var code: Code
        /// Which image (0-based), or nil when the problem is about the images as a whole.
        public var image: Int?
        /// What is wrong, for people.
        public var message: String

        public var description: String { message }
    }

    public var channel: Channel
    /// The most images one post takes; 0 when the channel takes none.
    public var maximumImages: Int
    /// Whether a post must carry at least one image (Instagram).
    public var requiresImage: Bool
    /// The largest image accepted, in bytes.
    public var maximumBytes: Int
    /// The formats accepted.
    public var formats: Set<ImageHeader.Format>
    /// The longest alt text the platform takes, in characters; nil when it sets no lower limit than Herald's 1,500.
    public var maximumAltLength: Int?
    /// Width divided by height must lie in this range (Instagram: 4:5 to 1.91:1); nil: any.
    public var aspectRatios: ClosedRange<Double>?
    /// Why a channel takes no images (for the error), when it takes none.
    public var refusal: String?

    public init(
        channel: Channel,
        maximumImages: Int,
        requiresImage: Bool = false,
        maximumBytes: Int = 0,
        formats: Set<ImageHeader.Format> = Set(ImageHeader.Format.allCases),
        maximumAltLength: Int? = nil,
        aspectRatios: ClosedRange<Double>? = nil,
        refusal: String? = nil
    ) {
        self.channel = channel
        self.maximumImages = maximumImages
        self.requiresImage = requiresImage
        self.maximumBytes = maximumBytes
        self.formats = formats
        self.maximumAltLength = maximumAltLength
        self.aspectRatios = aspectRatios
        self.refusal = refusal
    }

    /// Herald's image rules for each channel (sources in the type's table).
    public static func standard(for channel: Channel) -> ChannelMediaRules {
        let mebibyte = 1_024 * 1_024
        switch channel {
        case .bluesky: return ChannelMediaRules(channel: .bluesky, maximumImages: 4, maximumBytes: 1_000_000, maximumAltLength: 2_000)
        case .mastodon: return ChannelMediaRules(channel: .mastodon, maximumImages: 4, maximumBytes: 16 * mebibyte, maximumAltLength: 1_500)
        case .x: return ChannelMediaRules(channel: .x, maximumImages: 4, maximumBytes: 5_000_000, maximumAltLength: 1_000)
        case .linkedin: return ChannelMediaRules(channel: .linkedin, maximumImages: 20, maximumBytes: 10_000_000, formats: [.png, .jpeg, .gif])
        case .instagram:
            return ChannelMediaRules(
                channel: .instagram,
                maximumImages: 10,
                requiresImage: true,
                maximumBytes: 8_000_000,
                formats: [.jpeg],
                aspectRatios: 0.8...1.91
            )
        case .facebook: return ChannelMediaRules(channel: .facebook, maximumImages: 4, maximumBytes: 10_000_000, formats: [.png, .jpeg, .gif])
        case .webhook: return ChannelMediaRules(channel: .webhook, maximumImages: 4, maximumBytes: 16 * mebibyte)
        case .email:
            return ChannelMediaRules(
                channel: .email,
                maximumImages: 0,
                refusal: "Herald's email does not carry images yet; link to the image from the body instead"
            )
        case .sms: return ChannelMediaRules(channel: .sms, maximumImages: 0, refusal: "an SMS carries text only (Herald sends no MMS)")
        }
    }

    /// Checks a variant's images against these rules; empty when they can go out.
    ///
    /// - Parameter publishing: Whether the post is about to go to a connector. Only then is a missing required image
    ///   (Instagram) a problem: the campaign-file contract's own example is a text-only variant on `[x, instagram]`,
    ///   so creating such a campaign stays valid, and the post is stopped before it reaches a connector instead.
    public func check(_ media: [VariantMedia], publishing: Bool = false) -> [Problem] {
        let name = channel.rawValue
        if media.isEmpty {
            return requiresImage && publishing
                ? [Problem(code: .required, image: nil, message: "\(name) posts need an image; add image: {file: …, alt: …}")] : []
        }
        if maximumImages == 0 {
            return [Problem(code: .notAccepted, image: nil, message: "\(name) takes no images: \(refusal ?? "remove the image")")]
        }
        var problems: [Problem] = []
        if media.count > maximumImages {
            problems.append(
                Problem(code: .tooMany, image: nil, message: "has \(media.count) images; \(name) takes at most \(maximumImages) per post")
            )
        }
        for (index, image) in media.enumerated() {
            let format = ImageHeader.Format.allCases.first { $0.mimeType == image.mimeType }
            if format.map({ !formats.contains($0) }) ?? true {
                let accepted = ImageHeader.Format.allCases.filter(formats.contains).map { $0.rawValue.uppercased() }.joined(separator: ", ")
                problems.append(Problem(code: .format, image: index, message: "is \(image.mimeType); \(name) takes \(accepted)"))
            }
            if image.byteSize > maximumBytes {
                problems.append(
                    Problem(
                        code: .tooLarge,
                        image: index,
                        message: "is \(ByteCount.describe(image.byteSize)); \(name) takes at most \(ByteCount.describe(maximumBytes)) per image"
                    )
                )
            }
            if let aspectRatios, image.height > 0 {
                let ratio = Double(image.width) / Double(image.height)
                if !aspectRatios.contains(ratio) {
                    problems.append(
                        Problem(
                            code: .aspectRatio,
                            image: index,
                            message:
                                "is \(image.width) x \(image.height) (aspect ratio \(String(format: "%.2f", ratio))); \(name) takes \(String(format: "%.2f", aspectRatios.lowerBound)) to \(String(format: "%.2f", aspectRatios.upperBound))"
                        )
                    )
                }
            }
            if let maximumAltLength, image.altText.count > maximumAltLength {
                problems.append(
                    Problem(
                        code: .altTooLong,
                        image: index,
                        message: "has alt text of \(image.altText.count) characters; \(name) takes at most \(maximumAltLength)"
                    )
                )
            }
        }
        return problems
    }
}
