import Foundation
import HeraldCore

/// An image's bytes, read or fetched at the edge (CLI, API) and checked, ready to be stored with a variant.
public struct ImageUpload: Sendable, Equatable {
    /// The image's bytes.
    public var data: Data
    /// Its format and dimensions, read from the bytes.
    public var header: ImageHeader
    /// The description read to people who cannot see it.
    public var altText: String
    /// Where it was fetched from, for an image given by URL.
    public var sourceURL: String?

    /// The largest image accepted at all (Mastodon's default, the most generous of the platforms): 16 MiB.
    public static let maximumBytes = 16 * 1_024 * 1_024

    /// Checks `data` (an accepted format, a readable header, not larger than ``maximumBytes``).
    ///
    /// - Parameter field: Where the image was given (`variants[1].image`), for errors.
    public init(data: Data, altText: String, sourceURL: String? = nil, field: String) throws(ValidationError) {
        guard data.count <= Self.maximumBytes else {
            throw ValidationError(field: field, reason: "is \(ByteCount.describe(data.count)); at most \(ByteCount.describe(Self.maximumBytes))")
        }
        self.header = try ImageHeader(reading: data, field: field)
        self.data = data
        self.altText = altText
        self.sourceURL = sourceURL
    }

    /// The image's facts as channel rules check them, under a provisional id (the stored one is assigned on insert).
    public func media(id: UUID = UUID()) -> VariantMedia {
        VariantMedia(
            id: id,
            mimeType: header.mimeType,
            width: header.width,
            height: header.height,
            byteSize: data.count,
            altText: altText,
            sourceURL: sourceURL
        )
    }
}
