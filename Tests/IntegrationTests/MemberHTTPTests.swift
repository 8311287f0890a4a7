import EtcdClient
import Foundation
import Glibc
import ProcessTestSupport
import Testing

/// `MemberHTTP` against real sockets: a member's `/metrics` is read, a port nobody listens on fails at
/// once, and a listener that never answers costs the timeout, not a hang.
@Suite struct MemberHTTPTests {
    /// A loopback listener that never accepts (connections complete in its backlog and hear nothing).
    private static func silentListener() throws -> (socket: Int32, port: Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aSilentListenerCostsTheTimeoutAndARefusedPortNothing() throws {
        let (listener, port) = try Self.silentListener()
        defer { close(listener) }
        let started = ContinuousClock.now
        #expect(throws: MemberHTTPError.self) {
            _ = try MemberHTTP.get(endpoint: "127.0.0.1:\(port)", path: "/metrics", timeout: .milliseconds(300))
        }
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(250) && took < .seconds(3), "took \(took)")
        do {
            _ = try MemberHTTP.get(endpoint: "127.0.0.1:\(port)", path: "/metrics", timeout: .milliseconds(200))
        } catch {
            #expect(error.description.contains("i/o timeout"), "\(error)")
        }
        let closed = try FreePort.next()
        let refusedAt = ContinuousClock.now
        do {
            _ = try MemberHTTP.get(endpoint: "http://127.0.0.1:\(closed)", path: "/health")
            Issue.record("a closed port answered")
        } catch {
            #expect(error.description.contains("connection refused"), "\(error)")
        }
        #expect(ContinuousClock.now - refusedAt < .seconds(1))
    }

    @Test func aMemberAnswersItsMetrics() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let body = try MemberHTTP.get(endpoint: "127.0.0.1:\(member.clientPort)", path: "/metrics", timeout: .seconds(5))
        #expect(body.contains("etcd_server_quota_backend_bytes "))
        _ = try await member.terminate()
    }
}
