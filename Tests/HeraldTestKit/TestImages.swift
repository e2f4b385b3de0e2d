import Foundation

/// Small, well-formed image headers for tests: the magic bytes and a header giving width and height, padded to
/// `size` bytes (the rest is zeros, which no parser here reads).
public enum TestImages {
    /// A PNG: signature, then an IHDR chunk.
    public static func png(width: Int, height: Int, size: Int = 64) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        bytes += bigEndian32(width) + bigEndian32(height) + [8, 6, 0, 0, 0]
        return pad(bytes, to: size)
    }

    /// A JPEG: SOI, an APP0 (JFIF) segment, then a baseline SOF0 frame header.
    public static func jpeg(width: Int, height: Int, size: Int = 64) -> Data {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        bytes += [0xFF, 0xC0, 0x00, 0x11, 0x08] + bigEndian16(height) + bigEndian16(width) + [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        bytes += [0xFF, 0xD9]
        return pad(bytes, to: size)
    }

    /// A GIF89a logical screen descriptor.
    public static func gif(width: Int, height: Int, size: Int = 64) -> Data {
        pad(Array("GIF89a".utf8) + littleEndian16(width) + littleEndian16(height) + [0, 0, 0], to: size)
    }

    /// A lossy WebP (`VP8 ` chunk with its key frame header).
    public static func webp(width: Int, height: Int, size: Int = 64) -> Data {
        var bytes: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8) + Array("VP8 ".utf8) + [0, 0, 0, 0]
        bytes += [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A] + littleEndian16(width) + littleEndian16(height)
        return pad(bytes, to: size)
    }

    private static func pad(_ bytes: [UInt8], to size: Int) -> Data {
        Data(bytes + Array(repeating: 0, count: max(0, size - bytes.count)))
    }

    private static func bigEndian32(_ value: Int) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    private static func bigEndian16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    private static func littleEndian16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
}
