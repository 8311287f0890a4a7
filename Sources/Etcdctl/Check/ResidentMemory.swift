import Foundation
import GoFormat
import Glibc

/// `process_resident_memory_bytes` of a member, read from its `/metrics` over plain HTTP/1.1, as `check
/// datascale` reads it. Failures are reported in etcdctl's words and give nil.
enum ResidentMemory {
    static let metricName = "process_resident_memory_bytes"

    /// The member's resident memory in bytes, or nil after printing why it could not be read.
    static func read(endpoint: String, console: Console) -> Double? {
        var host = endpoint
        if host.hasPrefix("https://") {
            console.line("fetch error: https endpoints are not supported by this etcdctl yet (TLS comes later)")
            return nil
        }
        if host.hasPrefix("http://") { host.removeFirst("http://".count) }
        let url = "http://\(host)/metrics"
        let body: String
        do {
            body = try self.get(host: host, path: "/metrics")
        } catch {
            console.line("fetch error: Get \(GoQuote.quote(url)): \(error)")
            return nil
        }
        guard let line = body.split(separator: "\n").first(where: { $0.hasPrefix(self.metricName) }) else {
            console.line("could not find: \(self.metricName)")
            return nil
        }
        let value = line.dropFirst(self.metricName.count).trimmingCharacters(in: .whitespaces)
        guard let bytes = Double(value) else {
            console.line("parse error: strconv.ParseFloat: parsing \(GoQuote.quote(value)): invalid syntax")
            return nil
        }
        return bytes
    }

    /// The body of `GET path` from `host` (`name:port`), chunked or not.
    private static func get(host: String, path: String) throws -> String {
        let socket = try self.connect(host)
        defer { close(socket) }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes.withUnsafeMutableBytes { send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw ScrapeError.system("write", errno) }
            sent += written
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ScrapeError.system("read", errno) }
            if count == 0 { break }
            answer += buffer[0..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw ScrapeError.malformed }
        let head = text[..<split.lowerBound].lowercased()
        let body = String(text[split.upperBound...])
        guard head.hasPrefix("http/1.1 200") || head.hasPrefix("http/1.0 200") else { throw ScrapeError.malformed }
        return head.contains("transfer-encoding: chunked") ? try self.dechunked(body) : body
    }

    private static func dechunked(_ body: String) throws -> String {
        var rest = Substring(body)
        var result = ""
        while let end = rest.range(of: "\r\n") {
            guard let size = Int(rest[..<end.lowerBound].split(separator: ";")[0], radix: 16) else { throw ScrapeError.malformed }
            if size == 0 { return result }
            let start = end.upperBound
            guard let stop = rest.utf8.index(start, offsetBy: size, limitedBy: rest.utf8.endIndex) else { throw ScrapeError.malformed }
            result += rest[start..<stop]
            rest = rest[stop...].dropFirst(2)
        }
        throw ScrapeError.malformed
    }

    private static func connect(_ host: String) throws -> Int32 {
        guard let colon = host.lastIndex(of: ":") else { throw ScrapeError.malformed }
        let name = String(host[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = String(host[host.index(after: colon)...])
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, port, &hints, &found)
        guard status == 0, let first = found else { throw ScrapeError.lookup(String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(first) }
        var lastError: Int32 = ECONNREFUSED
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let candidate = address {
            let socket = Glibc.socket(candidate.pointee.ai_family, candidate.pointee.ai_socktype, candidate.pointee.ai_protocol)
            if socket >= 0 {
                if Glibc.connect(socket, candidate.pointee.ai_addr, candidate.pointee.ai_addrlen) == 0 { return socket }
                lastError = errno
                close(socket)
            }
            address = candidate.pointee.ai_next
        }
        throw ScrapeError.system("dial tcp \(host): connect", lastError)
    }

    private enum ScrapeError: Error, CustomStringConvertible {
        case system(String, Int32)
        case lookup(String)
        case malformed

        var description: String {
            switch self {
            case .system(let operation, let code): "\(operation): \(String(cString: strerror(code)).lowercased())"
            case .lookup(let message): "lookup: \(message)"
            case .malformed: "malformed HTTP response"
            }
        }
    }
}
