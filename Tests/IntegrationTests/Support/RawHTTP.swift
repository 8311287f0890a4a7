import Glibc
import ProcessTestSupport

/// Plain TCP conversations with the client port, byte for byte, for HTTP/1.1 and for garbage.
/// Its calls block: use it inside ``offload(_:)``.
final class RawConnection: Sendable {
    private let socket: Int32

    /// Connects to 127.0.0.1:`port` with a receive timeout.
    init(port: Int, timeoutSeconds: Int = 10) throws {
        self.socket = try Self.connect(port: port, timeoutSeconds: timeoutSeconds)
    }

    /// A connected socket. Nothing can throw after `init` stored it: a class whose initializer throws
    /// once every property is set still runs `deinit`, which would close the socket a second time and
    /// could close a descriptor another thread has opened since.
    private static func connect(port: Int, timeoutSeconds: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawHTTP.SocketError(operation: "socket", code: errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            let code = errno
            close(socket)
            throw RawHTTP.SocketError(operation: "connect", code: code)
        }
        return socket
    }

    deinit {
        if self.socket >= 0 {
            close(self.socket)
        }
    }

    /// Ends the TCP connection both ways, as a client going away; the descriptor is closed on release.
    func hangUp() {
        Glibc.shutdown(self.socket, Int32(SHUT_RDWR))
    }

    func send(_ text: String) throws {
        try self.send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(self.socket, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw RawHTTP.SocketError(operation: "send", code: errno) }
            offset += written
        }
    }

    /// Reads until the peer closes the connection (or the timeout passes).
    func readToEnd() throws -> String {
        var received: [UInt8] = []
        while let chunk = try self.receive() { received += chunk }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads one HTTP/1.1 response with a `Content-Length` body, leaving the connection open.
    func readResponse() throws -> String {
        var received: [UInt8] = []
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let headerEnd = text.firstRange(of: "\r\n\r\n") {
                let length = text[..<headerEnd.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingPrefix(" ")) } ?? 0
                if text[headerEnd.upperBound...].utf8.count >= length { return text }
            }
            guard let chunk = try self.receive() else { return text }
            received += chunk
        }
    }

    /// Reads until what arrives from now on contains `marker` (or the peer closes, or the timeout passes);
    /// returns all of it. For streamed responses.
    func read(until marker: String) throws -> String {
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            guard let chunk = try self.receive() else { break }
            received += chunk
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The next bytes, or nil at end of stream.
    private func receive() throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
        if count == 0 { return nil }
        guard count > 0 else { throw RawHTTP.SocketError(operation: "recv", code: errno) }
        return Array(buffer[..<count])
    }
}

/// One-shot HTTP/1.1 requests, run off the cooperative thread pool.
enum RawHTTP {
    /// Sends `request` verbatim on a new connection and returns everything the server sends until it closes.
    static func request(port: Int, _ request: String) async throws -> String {
        try await offload {
            let connection = try RawConnection(port: port)
            try connection.send(request)
            return try connection.readToEnd()
        }
    }

    /// Sends raw bytes on a new connection and returns everything the server sends until it closes.
    static func exchange(port: Int, _ bytes: [UInt8]) async throws -> String {
        try await offload {
            let connection = try RawConnection(port: port)
            try connection.send(bytes)
            return try connection.readToEnd()
        }
    }

    /// `GET path` with `Connection: close`.
    static func get(port: Int, _ path: String) async throws -> (status: Int, body: String) {
        let response = try await request(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let status = Int(response.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = response.firstRange(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    struct SocketError: Error, CustomStringConvertible {
        let operation: String
        let code: Int32
        var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
    }
}
