import AsyncHTTPClient
import Channels
import Foundation
import HeraldCore
import Logging
import NIOCore
import NIOHTTP1

/// Reads (a file) or fetches (a URL) the images a campaign file or request names, once, at the edge, so the bytes
/// can be stored in the database with the variant; checks each one's format, dimensions and size.
///
/// The CLI reads files relative to the campaign file's folder. The API takes URL images only: a path in a request
/// would name a file on the server, which no API client should be able to read.
public struct ImageLoader: Sendable {
    /// Where relative file paths start; nil: file images are refused (the API).
    public var directory: URL?
    /// How long fetching one URL may take.
    public var timeout: TimeAmount
    public var logger: Logger

    public init(directory: URL?, timeout: TimeAmount = .seconds(30), logger: Logger = Logger(label: "herald.images")) {
        self.directory = directory
        self.timeout = timeout
        self.logger = logger
    }

    /// The images of every variant of `spec`, one list per variant, in order (for ``Storage/CampaignStore/create(_:images:schedule:trackingLinkLength:)``).
    ///
    /// - Throws: ``ValidationError`` naming the image (`variants[1].image.file`) that cannot be read, fetched or used.
    public func load(_ spec: CampaignSpec) async throws -> [[ImageUpload]] {
        var loaded: [[ImageUpload]] = []
        for (index, variant) in spec.variants.enumerated() {
            loaded.append(try await load(variant.images, field: "variants[\(index)]"))
        }
        return loaded
    }

    /// Loads one variant's images; `field` is the variant's place (`variants[1]`, or empty for a request that is the variant).
    public func load(_ images: [VariantImage], field: String) async throws -> [ImageUpload] {
        var loaded: [ImageUpload] = []
        for (position, image) in images.enumerated() {
            let name = images.count == 1 ? "image" : "images[\(position)]"
            let place = field.isEmpty ? name : "\(field).\(name)"
            try image.validate(field: place)
            switch image.source {
            case .file(let path):
                let data = try read(path, field: "\(place).file")
                loaded.append(try ImageUpload(data: data, altText: image.alt, field: "\(place).file"))
            case .url(let url):
                let data = try await fetch(url, field: "\(place).url")
                loaded.append(try ImageUpload(data: data, altText: image.alt, sourceURL: url, field: "\(place).url"))
            }
        }
        return loaded
    }

    private func read(_ path: String, field: String) throws(ValidationError) -> Data {
        guard let directory else {
            throw ValidationError(
                field: field,
                reason: "the API takes images by url only (a file path would name a file on the server); give {url: …, alt: …}"
            )
        }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ValidationError(field: field, reason: "\"\(path)\" does not exist (looked for \(url.path))")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > ImageUpload.maximumBytes {
            throw ValidationError(
                field: field,
                reason: "\"\(path)\" is \(ByteCount.describe(size)); at most \(ByteCount.describe(ImageUpload.maximumBytes))"
            )
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ValidationError(field: field, reason: "\"\(path)\" cannot be read (check its permissions)")
        }
        return data
    }

    private func fetch(_ url: String, field: String) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "Herald-Images/1")
        request.headers.add(name: "Accept", value: "image/png, image/jpeg, image/gif, image/webp")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout, logger: logger)
        } catch {
            throw ValidationError(field: field, reason: "cannot fetch \(url): \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            _ = try? await response.body.collect(upTo: 64 * 1024)
            throw ValidationError(field: field, reason: "fetching \(url) answered \(response.status.code)")
        }
        do {
            let body = try await response.body.collect(upTo: ImageUpload.maximumBytes)
            return Data(body.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ValidationError(field: field, reason: "\(url) is larger than \(ByteCount.describe(ImageUpload.maximumBytes))")
        } catch {
            throw ValidationError(field: field, reason: "fetching \(url) broke off: \(error)")
        }
    }
}
