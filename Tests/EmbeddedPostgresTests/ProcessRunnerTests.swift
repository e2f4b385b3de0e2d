import EmbeddedPostgres
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Children start with standard input, output and error only: nothing else this process has open leaks into them.
struct ProcessRunnerTests {
    @Test func aChildInheritsNoDescriptorButItsStandardOnes() async throws {
        // A listening socket and files, open here while the child starts (a database cluster started now would keep
        // such a socket for its whole life).
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener > 2)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(listener, 8) == 0)
        let files = (0..<3).map { _ in open("/etc/hostname", O_RDONLY) }
        defer {
            close(listener)
            for file in files { close(file) }
        }
        // The child lists its own descriptors: 0, 1 and 2, and the one `ls` reads the folder through.
        let output = try await ProcessRunner.run("/bin/ls", ["/proc/self/fd"])
        #expect(output.succeeded, "\(output.standardError)")
        let descriptors = Set(output.standardOutput.split(separator: "\n").compactMap { Int32($0) })
        #expect(descriptors.isSuperset(of: [0, 1, 2]))
        #expect(descriptors.count <= 4, "the child inherited \(descriptors.sorted())")
        #expect(!descriptors.contains(listener) || listener == 3)
    }
}
