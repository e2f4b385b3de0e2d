import Channels
import Foundation
import HeraldCore
import HeraldTestKit
import Testing

@Suite struct ImageHeaderTests {
    @Test func readsFormatAndSizeOfEachAcceptedFormat() throws {
        #expect(try ImageHeader(reading: TestImages.png(width: 1200, height: 630), field: "f") == ImageHeader(format: .png, width: 1200, height: 630))
        #expect(
            try ImageHeader(reading: TestImages.jpeg(width: 1080, height: 1350), field: "f") == ImageHeader(format: .jpeg, width: 1080, height: 1350)
        )
        #expect(try ImageHeader(reading: TestImages.gif(width: 320, height: 240), field: "f") == ImageHeader(format: .gif, width: 320, height: 240))
        #expect(try ImageHeader(reading: TestImages.webp(width: 800, height: 600), field: "f") == ImageHeader(format: .webp, width: 800, height: 600))
        #expect(try ImageHeader(reading: TestImages.webp(width: 800, height: 600), field: "f").mimeType == "image/webp")
    }

    @Test func losslessAndExtendedWebP() {
        // VP8L: signature 0x2F, then 14 bits width-1 and 14 bits height-1, little-endian.
        let bits = UInt32(99) | UInt32(49) << 14
        var lossless: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8L".utf8) + [0, 0, 0, 0, 0x2F]
        lossless += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF)]
        lossless += Array(repeating: 0, count: 10)
        #expect(ImageHeader.read(lossless) == ImageHeader(format: .webp, width: 100, height: 50))
        // VP8X: flags and reserved (4 bytes), then 24-bit canvas width-1 and height-1.
        var extended: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8X".utf8) + [10, 0, 0, 0, 0x10, 0, 0, 0]
        extended += [0x7F, 0x07, 0x00, 0x37, 0x04, 0x00]  // 1920 x 1080
        #expect(ImageHeader.read(extended) == ImageHeader(format: .webp, width: 1920, height: 1080))
    }

    @Test func jpegFrameAfterLargeSegmentsAndFillBytes() {
        // An EXIF-sized APP1 segment and fill bytes before the SOF2 (progressive) frame.
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x02] + Array(repeating: 0, count: 0x1000)
        bytes += [0xFF, 0xFF, 0xC4, 0x00, 0x04, 0, 0]  // a DHT (C4) is no frame
        bytes += [0xFF, 0xC2, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20] + Array(repeating: 0, count: 12)
        #expect(ImageHeader.read(bytes) == ImageHeader(format: .jpeg, width: 800, height: 600))
    }

    @Test(arguments: [
        (Data(), "the file is empty"),
        (Data("%PDF-1.7 xxxxxxxxxx".utf8), "it is a PDF"),
        (Data("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8), "HTML, XML or SVG"),
        (Data([0x42, 0x4D, 0, 0, 0, 0]), "it starts with 42 4d"),
    ])
    func refusesOtherFormatsSayingWhatTheyAre(data: Data, says: String) {
        #expect {
            _ = try ImageHeader(reading: data, field: "variants[1].image.file")
        } throws: { error in
            let error = error as? ValidationError
            return error?.field == "variants[1].image.file" && error?.reason.contains("is not a PNG, JPEG, GIF or WebP image") == true
                && error?.reason.contains(says) == true
        }
    }

    @Test func aTruncatedHeaderIsDamaged() {
        let cut = TestImages.png(width: 10, height: 10).prefix(20)
        #expect(ImageHeader.read([UInt8](cut)) == nil)
        #expect(throws: ValidationError(field: "f", reason: "is a damaged image: its header says no width and height")) {
            _ = try ImageHeader(reading: Data(cut), field: "f")
        }
        // A JPEG that reaches its scan data before any frame header.
        #expect(ImageHeader.read([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]) == nil)
    }

    @Test func uploadsAreCappedAt16MiB() {
        let big = TestImages.png(width: 10, height: 10, size: ImageUpload.maximumBytes + 1)
        #expect(throws: ValidationError.self) { _ = try ImageUpload(data: big, altText: "x", field: "image") }
        let fine = try? ImageUpload(data: TestImages.png(width: 10, height: 10), altText: "A dot", field: "image")
        #expect(fine?.media().byteSize == 64)
        #expect(fine?.media().mimeType == "image/png")
    }
}
