import Glibc
import Synchronization

/// Loopback ports for test members. They come from below the kernel's ephemeral range (32768 and up), so an
/// outgoing connection of another test cannot take one as its source port between the handing out and the
/// member's bind (a member that cannot bind its client port never serves); a counter shared by the test
/// process never hands the same port out twice, and each is checked free by binding it. The counter starts
/// at random, so test processes running side by side rarely meet.
public enum FreePort {
    /// The ports handed out.
    public static let range = 20_000..<32_768

    private static let candidate = Mutex(Int.random(in: FreePort.range))

    /// The next port of the range that can be bound now; ports are handed out in turn, so one comes back
    /// only after the whole range.
    public static func next() throws -> Int {
        for _ in 0..<Self.range.count {
            let port = Self.candidate.withLock { candidate in
                defer { candidate = candidate + 1 == Self.range.upperBound ? Self.range.lowerBound : candidate + 1 }
                return candidate
            }
            if try Self.isFree(port) { return port }
        }
        throw NoFreePort(range: Self.range)
    }

    /// Whether 127.0.0.1:`port` can be bound now.
    private static func isFree(_ port: Int) throws -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw NoFreePort(range: Self.range, errno: errno) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socket, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// No port of the range could be bound (or no socket could be made to try).
public struct NoFreePort: Error, CustomStringConvertible {
    let range: Range<Int>
    var errno: Int32 = EADDRINUSE

    public var description: String {
        "no free loopback port in \(self.range.lowerBound)..<\(self.range.upperBound): \(String(cString: strerror(self.errno)))"
    }
}
