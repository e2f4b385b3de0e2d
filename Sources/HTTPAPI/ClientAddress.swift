import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The address of the client behind a request, for telling repeated tracking hits apart (it is never stored).
///
/// The connection's peer is the client, unless the peer is one of the trusted proxies: then `X-Forwarded-For` is read
/// from the right (the entry the trusted proxy appended first), skipping further trusted proxies, and the first
/// address not trusted is the client. Entries a client wrote itself sit further left and are never reached while a
/// trusted proxy's entry follows them, so a client cannot choose its address by sending the header.
enum ClientAddress {
    /// The client address of `request`, arriving from `peer`, given the addresses of trusted proxies.
    ///
    /// - Returns: An IP address as text; empty when the peer is unknown (not on a socket).
    static func of(_ request: Request, peer: SocketAddress?, trustedProxies: Set<String>) -> String {
        var address = peer?.ipAddress ?? ""
        guard trustedProxies.contains(address) else { return address }
        let forwarded = request.headers[values: .init("X-Forwarded-For")!]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for entry in forwarded.reversed() {
            address = entry
            if !trustedProxies.contains(entry) { break }
        }
        return address
    }
}
