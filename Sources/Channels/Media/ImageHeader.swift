import Foundation
import HeraldCore

/// What an image's first bytes say: its format (from the magic bytes, never from a file name or a server's
/// `Content-Type`) and its width and height (from the header).
///
/// ```swift
/// let header = try ImageHeader(reading: data, field: "variants[0].image")   // .png, 1200 x 630
/// header.mimeType                                                            // "image/png"
/// ```
///
/// Formats: PNG (signature, then IHDR), JPEG (SOI, then the first SOFn segment), GIF (87a/89a logical screen),
/// WebP (RIFF/WEBP with a `VP8 `, `VP8L` or `VP8X` chunk). Anything else is refused.
///
/// - Complexity: O(n) in the bytes before a JPEG's frame header; O(1) for the others.
public struct ImageHeader: Sendable, Equatable {
    /// The image formats Herald accepts.
    public enum Format: String, Sendable, CaseIterable {
        case png, jpeg, gif, webp

        /// The media type sent to platforms.
        public var mimeType: String { "image/\(rawValue)" }
    }

    public var format: Format
    /// Width and height in pixels.
    public var width: Int
    public var height: Int

    /// The media type sent to platforms.
    public var mimeType: String { format.mimeType }

    public init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// Reads the header of `data`.
    ///
    /// - Parameter field: Where the image was given (`variants[1].image`), for errors.
    /// - Throws: ``ValidationError`` when the bytes are not a PNG, JPEG, GIF or WebP image, or its header is cut short.
    public init(reading data: Data, field: String) throws(ValidationError) {
        guard let header = Self.read([UInt8](data.prefix(Self.scanLimit(data)))) else {
            throw ValidationError(
                field: field,
                reason: Self.format(of: [UInt8](data.prefix(16))) == nil
                    ? "is not a PNG, JPEG, GIF or WebP image (\(Self.describe(data)))"
                    : "is a damaged image: its header says no width and height"
            )
        }
        self = header
    }

    /// The format the magic bytes announce, or nil.
    public static func format(of bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return .gif }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }

    /// Reads format and dimensions from an image's leading bytes; nil when they are not a complete header.
    public static func read(_ bytes: [UInt8]) -> ImageHeader? {
        guard let format = format(of: bytes) else { return nil }
        let size: (Int, Int)?
        switch format {
        case .png: size = png(bytes)
        case .jpeg: size = jpeg(bytes)
        case .gif: size = bytes.count >= 10 ? (littleEndian16(bytes, 6), littleEndian16(bytes, 8)) : nil
        case .webp: size = webp(bytes)
        }
        guard let (width, height) = size, width > 0, height > 0 else { return nil }
        return ImageHeader(format: format, width: width, height: height)
    }

    // MARK: - Formats

    /// PNG: the IHDR chunk comes first; width and height are big-endian 32-bit at bytes 16 and 20.
    private static func png(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (bigEndian32(bytes, 16), bigEndian32(bytes, 20))
    }

    /// JPEG: walks the marker segments after SOI to the first start-of-frame (SOF0–SOF15 except DHT C4, JPG C8 and
    /// DAC CC), whose payload is precision (1), height (2), width (2).
    private static func jpeg(_ bytes: [UInt8]) -> (Int, Int)? {
        var offset = 2
        while offset + 1 < bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            var marker = bytes[offset + 1]
            // Fill bytes: any number of 0xFF before a marker.
            while marker == 0xFF {
                offset += 1
                guard offset + 1 < bytes.count else { return nil }
                marker = bytes[offset + 1]
            }
            offset += 2
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }  // no length
            if marker == 0xD9 || marker == 0xDA { return nil }  // end of image or scan data before any frame
            guard offset + 1 < bytes.count else { return nil }
            let length = bigEndian16(bytes, offset)
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                guard offset + 7 <= bytes.count else { return nil }
                return (bigEndian16(bytes, offset + 5), bigEndian16(bytes, offset + 3))
            }
            offset += length
        }
        return nil
    }

    /// WebP: the first chunk after `RIFF....WEBP` is `VP8 ` (lossy: 14-bit sizes after the 9D 01 2A start code),
    /// `VP8L` (lossless: 14-bit width-1 and height-1 after the 0x2F signature) or `VP8X` (extended: 24-bit canvas
    /// width-1 and height-1). RFC 9649.
    private static func webp(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 30 else { return nil }
        let chunk = String(decoding: bytes[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ":
            guard bytes[23] == 0x9D, bytes[24] == 0x01, bytes[25] == 0x2A else { return nil }
            return (littleEndian16(bytes, 26) & 0x3FFF, littleEndian16(bytes, 28) & 0x3FFF)
        case "VP8L":
            guard bytes[20] == 0x2F else { return nil }
            let bits = UInt32(bytes[21]) | UInt32(bytes[22]) << 8 | UInt32(bytes[23]) << 16 | UInt32(bytes[24]) << 24
            return (Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            let width = Int(bytes[24]) | Int(bytes[25]) << 8 | Int(bytes[26]) << 16
            let height = Int(bytes[27]) | Int(bytes[28]) << 8 | Int(bytes[29]) << 16
            return (width + 1, height + 1)
        default:
            return nil
        }
    }

    // MARK: - Helpers

    /// How many leading bytes are read: a JPEG's frame header may follow large EXIF or ICC segments.
    private static func scanLimit(_ data: Data) -> Int {
        data.starts(with: [0xFF, 0xD8, 0xFF]) ? data.count : 64
    }

    private static func bigEndian16(_ bytes: [UInt8], _ offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }
    private static func littleEndian16(_ bytes: [UInt8], _ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
    private static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> Int {
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }

    /// A short description of bytes that are no accepted image, to say what was given instead.
    private static func describe(_ data: Data) -> String {
        if data.isEmpty { return "the file is empty" }
        let head = [UInt8](data.prefix(8))
        if head.starts(with: Array("%PDF".utf8)) { return "it is a PDF" }
        if head.starts(with: Array("<".utf8)) || head.starts(with: Array("<?xml".utf8)) { return "it looks like HTML, XML or SVG" }
        return "it starts with " + head.map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
