import Foundation
import Glibc
import ProcessTestSupport

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET`: collects what `sd_notify` sends.
final class NotifySocket: Sendable {
    let path: String
    private let socket: Int32

    init() throws {
        self.path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString).sock").path
        self.socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard self.socket >= 0 else { throw RawHTTP.SocketError(operation: "socket", code: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(self.path.utf8)
            raw.copyBytes(from: bytes.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(self.socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        guard bound else { throw RawHTTP.SocketError(operation: "bind", code: errno) }
    }

    deinit {
        close(self.socket)
        unlink(self.path)
    }

    /// The next message, or nil if none arrives within `timeoutSeconds`.
    func receive(timeoutSeconds: Int) async throws -> String? {
        try await offload { self.receiveBlocking(timeoutSeconds: timeoutSeconds) }
    }

    /// Collects messages until one holds `assignment` (e.g. `READY=1`) as a line; nil if none arrives
    /// within `timeoutSeconds` of the previous message. Returns every message received, in order.
    func messages(until assignment: String, timeoutSeconds: Int) async throws -> [String]? {
        var received: [String] = []
        while let message = try await self.receive(timeoutSeconds: timeoutSeconds) {
            received.append(message)
            if message.split(separator: "\n").contains(Substring(assignment)) { return received }
        }
        return nil
    }

    private func receiveBlocking(timeoutSeconds: Int) -> String? {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(self.socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
