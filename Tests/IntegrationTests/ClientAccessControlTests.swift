import Foundation
import Testing

/// `--cors` and `--host-whitelist` on the client port, answer for answer against Go etcd 3.4 started with the
/// same flags: the status, the body and the CORS headers of a preflight, of reads from an allowed and a
/// refused origin, and of requests naming an allowed and a refused host; and the headers every answer has.
@Suite struct ClientAccessControlTests {
    static let flags = ["--cors", "http://ui.example:8080", "--host-whitelist", "127.0.0.1,etcd.local"]

    static let requests = [
        "OPTIONS /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://ui.example:8080\r\nConnection: close\r\n\r\n",
        "GET /version HTTP/1.1\r\nHost: 127.0.0.1:2379\r\nOrigin: http://ui.example:8080\r\nConnection: close\r\n\r\n",
        "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://elsewhere.example:1\r\nConnection: close\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: etcd.local:2379\r\nConnection: close\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: rebound.example:2379\r\nConnection: close\r\n\r\n",
        "POST /v3/kv/range HTTP/1.1\r\nHost: [::1]:2379\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ]

    /// What must agree: the status line, the CORS headers (sorted) and, for a refusal, the body.
    static func essence(_ response: String) -> String {
        let parts = response.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        let cors = lines.dropFirst().filter { $0.lowercased().hasPrefix("access-control-") }.map { $0.lowercased() }.sorted()
        let status = lines[0]
        let body = status.contains(" 421 ") ? parts.dropFirst().joined(separator: "\r\n\r\n") : ""
        return ([status] + cors + [body]).joined(separator: "\n")
    }

    @Test func originsAndHostsAreAllowedAndRefusedAsByGoEtcd() async throws {
        let ours = try MemberProcess(arguments: Self.flags)
        try await ours.waitUntilServing()
        let go = try await GoMember.start(scheme: "http", arguments: Self.flags)
        for request in Self.requests {
            let mine = Self.essence(try await RawHTTP.request(port: ours.clientPort, request))
            let theirs = Self.essence(try await RawHTTP.request(port: go.clientPort, request))
            #expect(mine == theirs, "\(request.prefix(60))")
        }
        let refused = Self.essence(try await RawHTTP.request(port: ours.clientPort, Self.requests[4]))
        #expect(refused.hasPrefix("HTTP/1.1 421 ") && refused.contains(#"etcd --host-whitelist "rebound.example""#))
        #expect(ours.log.contains("rejecting HTTP request to prevent DNS rebinding attacks"))
        _ = try await ours.terminate()
        _ = try await go.terminate()
    }

    /// The header names of an answer and its `Content-Type`, in a stable order.
    static func headerShape(_ response: String) -> String {
        let lines = response.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        let names = lines.dropFirst().compactMap { $0.split(separator: ":").first?.lowercased() }.sorted()
        let type = lines.first { $0.lowercased().hasPrefix("content-type:") } ?? ""
        return "\(lines[0]) \(names) \(type)"
    }

    @Test func answersCarryGoEtcdsHeaders() async throws {
        let ours = try MemberProcess()
        try await ours.waitUntilServing()
        let go = try await GoMember.start(scheme: "http", arguments: [])
        for path in ["/health", "/version", "/no-such-path", "/health?serializable=true"] {
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            let mine = try await RawHTTP.request(port: ours.clientPort, request)
            let theirs = try await RawHTTP.request(port: go.clientPort, request)
            #expect(Self.headerShape(mine) == Self.headerShape(theirs), "\(path)")
        }
        let answer = try await RawHTTP.request(port: ours.clientPort, "GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let date = answer.components(separatedBy: "\r\n").first { $0.hasPrefix("Date: ") }?.dropFirst(6) ?? ""
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let sent = try #require(formatter.date(from: String(date)), "\(date)")
        #expect(abs(sent.timeIntervalSinceNow) < 5)
        _ = try await ours.terminate()
        _ = try await go.terminate()
    }

    @Test func byDefaultEveryOriginGetsTheCORSHeadersAsFromGoEtcd() async throws {
        let ours = try MemberProcess()
        try await ours.waitUntilServing()
        let go = try await GoMember.start(scheme: "http", arguments: [])
        for request in Self.requests {
            let mine = Self.essence(try await RawHTTP.request(port: ours.clientPort, request))
            let theirs = Self.essence(try await RawHTTP.request(port: go.clientPort, request))
            #expect(mine == theirs, "\(request.prefix(60))")
        }
        _ = try await ours.terminate()
        _ = try await go.terminate()
    }
}
