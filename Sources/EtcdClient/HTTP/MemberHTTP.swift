import Foundation
import Glibc

/// HTTP/1.1 GETs of a member's client or metrics URL (`/metrics`, `/health`, `/version`), as etcdctl's
/// `check datascale` and etcd-ops' status read them. Blocking, for a command-line tool: each call connects,
/// sends one request and reads the whole answer, within a timeout (a member that does not answer, or a
/// host that drops packets, costs at most that). `https://` URLs are read over TLS.
public enum MemberHTTP {
    /// The body of `GET path` at `endpoint` (`host:port`, `http://host:port` or `https://host:port`), chunked
    /// or not; throws ``MemberHTTPError`` naming what failed (`i/o timeout` once `timeout` has passed).
    /// `https://` endpoints use `tls` (the system's roots and full verification without it).
    public static func get(
        endpoint: String,
        path: String,
        timeout: Duration = .seconds(5),
        tls: ClientTLS? = nil
    ) throws(MemberHTTPError) -> String {
        var host = endpoint
        let secure = host.hasPrefix("https://")
        if secure { host.removeFirst("https://".count) }
        if host.hasPrefix("http://") { host.removeFirst("http://".count) }
        while host.hasSuffix("/") { host.removeLast() }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
        let deadline = ContinuousClock.now + timeout
        let answer =
            secure
            ? try self.exchangeOverTLS(Array(request.utf8), host: host, tls: tls, deadline: deadline)
            : try self.exchange(Array(request.utf8), host: host, deadline: deadline)
        return try self.body(of: answer, path: path)
    }

    /// Sends `request` to `host` (`name:port`) in plaintext and reads the answer until the member closes.
    private static func exchange(_ request: [UInt8], host: String, deadline: ContinuousClock.Instant) throws(MemberHTTPError) -> [UInt8] {
        let socket = try self.connect(host, deadline: deadline)
        defer { close(socket) }
        var limit = Self.timeval(until: deadline)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var bytes = request
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeMutableBytes { send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw MemberHTTPError("write: \(Self.reason(errno))") }
            sent += written
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw MemberHTTPError("read: \(Self.reason(errno))") }
            if count == 0 { return answer }
            answer += buffer[0..<count]
        }
    }

    /// The body of a whole HTTP/1.1 answer to `GET path`; an error unless its status is 200.
    private static func body(of answer: [UInt8], path: String) throws(MemberHTTPError) -> String {
        guard let split = Self.lineEnd(in: answer[...], blank: true) else { throw MemberHTTPError("malformed HTTP response") }
        let head = String(decoding: answer[..<split], as: UTF8.self).lowercased()
        let body = answer[(split + 4)...]
        guard head.hasPrefix("http/1.1 200") || head.hasPrefix("http/1.0 200") else {
            throw MemberHTTPError("GET \(path): \(head.prefix { $0 != "\r" })")
        }
        return String(decoding: head.contains("transfer-encoding: chunked") ? try self.dechunked(body) : Array(body), as: UTF8.self)
    }

    /// The bytes of a chunked body, its chunks joined (on bytes, so a chunk may end inside a character).
    private static func dechunked(_ body: ArraySlice<UInt8>) throws(MemberHTTPError) -> [UInt8] {
        var rest = body
        var result: [UInt8] = []
        while let end = Self.lineEnd(in: rest, blank: false) {
            let line = String(decoding: rest[..<end], as: UTF8.self)
            guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else {
                throw MemberHTTPError("malformed HTTP response")
            }
            if size == 0 { return result }
            let start = end + 2
            guard start + size <= rest.endIndex else { throw MemberHTTPError("malformed HTTP response") }
            result += rest[start..<(start + size)]
            rest = rest[min(start + size + 2, rest.endIndex)...]
        }
        throw MemberHTTPError("malformed HTTP response")
    }

    /// Where the first CRLF (or, when `blank`, CRLF CRLF) in `bytes` starts.
    private static func lineEnd(in bytes: ArraySlice<UInt8>, blank: Bool) -> Int? {
        let marker: [UInt8] = blank ? [13, 10, 13, 10] : [13, 10]
        var index = bytes.startIndex
        while index + marker.count <= bytes.endIndex {
            if bytes[index..<(index + marker.count)].elementsEqual(marker) { return index }
            index += 1
        }
        return nil
    }

    private static func connect(_ host: String, deadline: ContinuousClock.Instant) throws(MemberHTTPError) -> Int32 {
        guard let colon = host.lastIndex(of: ":") else { throw MemberHTTPError("address \(host): missing port in address") }
        let name = String(host[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = String(host[host.index(after: colon)...])
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, port, &hints, &found)
        guard status == 0, let first = found else { throw MemberHTTPError("lookup \(name): \(String(cString: gai_strerror(status)))") }
        defer { freeaddrinfo(first) }
        var lastError: Int32 = ECONNREFUSED
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let candidate = address {
            let socket = Glibc.socket(candidate.pointee.ai_family, candidate.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue), candidate.pointee.ai_protocol)
            if socket >= 0 {
                let code = Self.finishConnect(socket, candidate.pointee, deadline: deadline)
                if code == 0, fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) & ~O_NONBLOCK) == 0 { return socket }
                lastError = code == 0 ? errno : code
                close(socket)
            }
            address = candidate.pointee.ai_next
        }
        throw MemberHTTPError("dial tcp \(host): connect: \(Self.reason(lastError))")
    }

    /// Connects the non-blocking `socket`, waiting for it until `deadline`; 0 or the error.
    private static func finishConnect(_ socket: Int32, _ address: addrinfo, deadline: ContinuousClock.Instant) -> Int32 {
        if Glibc.connect(socket, address.ai_addr, address.ai_addrlen) == 0 { return 0 }
        guard errno == EINPROGRESS else { return errno }
        var poller = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return ETIMEDOUT }
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { return errno }
            if ready == 0 { continue }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 else { return errno }
            return failure
        }
    }

    /// What is left until `deadline` as a socket timeout (at least a millisecond: zero would mean none).
    private static func timeval(until deadline: ContinuousClock.Instant) -> Glibc.timeval {
        let remaining = max(deadline - ContinuousClock.now, .milliseconds(1))
        return Glibc.timeval(tv_sec: Int(remaining.components.seconds), tv_usec: Int(remaining.components.attoseconds / 1_000_000_000_000))
    }

    private static func reason(_ code: Int32) -> String {
        if code == EAGAIN || code == EWOULDBLOCK || code == ETIMEDOUT { return "i/o timeout" }
        return String(cString: strerror(code)).lowercased()
    }
}

/// Why a ``MemberHTTP`` request failed, in Go's words where Go's HTTP client has them.
public struct MemberHTTPError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
