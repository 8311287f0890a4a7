import Foundation
import Glibc
import Testing

/// `--socket-reuse-port`: with it, another socket that also asks for `SO_REUSEPORT` may bind the member's
/// client and peer ports while the member listens on them; without it, the bind fails as for any port in use.
@Suite struct SocketReuseTests {
    /// Binds a listening socket with `SO_REUSEPORT` to 127.0.0.1:`port`; returns the errno of a failure, 0 on
    /// success (the socket is closed either way).
    private static func bindSharing(port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return errno }
        return listen(descriptor, 1) == 0 ? 0 : errno
    }

    @Test func theMembersPortsAreSharedOnlyWithTheFlag() async throws {
        let sharing = try MemberProcess(arguments: ["--socket-reuse-port", "--socket-reuse-address"])
        try await sharing.waitUntilServing()
        #expect(Self.bindSharing(port: sharing.clientPort) == 0)
        #expect(Self.bindSharing(port: sharing.peerPort) == 0)
        _ = try await sharing.terminate()

        let plain = try MemberProcess()
        try await plain.waitUntilServing()
        #expect(Self.bindSharing(port: plain.clientPort) == EADDRINUSE)
        #expect(Self.bindSharing(port: plain.peerPort) == EADDRINUSE)
        _ = try await plain.terminate()
    }
}
