import Glibc

/// A blocking HTTP/1.1 `GET` over a fresh loopback connection, returning the body. Enough to time a
/// `/metrics` scrape (one request per connection, `Connection: close`).
enum HTTPGet {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func body(_ endpoint: MemberAddress, path: String) throws -> [UInt8] {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(endpoint.host == "localhost" ? "127.0.0.1" : endpoint.host)
        address.sin_port = UInt16(endpoint.port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw Failure(description: "connect to \(endpoint): errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw Failure(description: "send to \(endpoint): errno \(errno)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        guard received.starts(with: Array("HTTP/1.1 200".utf8)) else {
            throw Failure(description: "GET \(path) on \(endpoint) did not answer 200")
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let headerEnd = (0..<max(0, received.count - 3)).first(where: { received[$0..<$0 + 4].elementsEqual(separator) }) else {
            throw Failure(description: "GET \(path) on \(endpoint): no end of headers")
        }
        return Array(received[(headerEnd + 4)...])
    }
}
