import Crypto
import Foundation

/// Content ids in the shape atproto uses (CIDv1, sha-256, multibase base32 lower case: `bafyrei…` for records,
/// `bafkrei…` for raw blobs), for stand-ins. The hash is over the bytes given (JSON for records, not DAG-CBOR).
enum ATProtoCID {
    /// The DAG-CBOR codec (records).
    static let record: UInt8 = 0x71
    /// The raw codec (blobs).
    static let raw: UInt8 = 0x55

    /// The cid of `data` under `codec`.
    static func cid(of data: Data, codec: UInt8) -> String {
        let digest = Array(SHA256.hash(data: data))
        return "b" + base32([0x01, codec, 0x12, 0x20] + digest)
    }

    /// RFC 4648 base32, lower case, without padding.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var result = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { result.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return result
    }
}
