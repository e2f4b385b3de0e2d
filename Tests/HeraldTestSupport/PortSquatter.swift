import Storage

#if canImport(Glibc)
import Glibc
#endif

/// A program listening on a port (a socket bound with SO_REUSEADDR and listening), until closed: what makes an embedded
/// cluster move to another port.
public struct PortSquatter: Sendable {
    let fd: Int32

    /// Listens on 127.0.0.1:`port`.
    ///
    /// - Throws: ``StorageError`` when the port cannot be bound.
    public init(port: Int) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 16) == 0 else { throw StorageError("cannot listen on \(port)") }
        fd = socketFD
    }

    /// Stops listening.
    public func close() { _ = Glibc.close(fd) }
}
