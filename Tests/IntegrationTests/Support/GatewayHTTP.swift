import Foundation

/// Requests to a member's JSON gateway over plain sockets, as curl would send them, with the answer
/// de-chunked whatever its framing.
enum GatewayHTTP {
    /// One answer: status, headers (names lower-cased) and body.
    struct Answer: Sendable, CustomStringConvertible {
        var status: Int
        var headers: [String: String]
        var body: String

        /// The body as a JSON object.
        func json() throws -> [String: Any] {
            let object = try JSONSerialization.jsonObject(with: Data(self.body.utf8))
            guard let dictionary = object as? [String: Any] else { throw NotAnObject(body: self.body) }
            return dictionary
        }

        var description: String { "\(self.status) \(self.body)" }
    }

    struct NotAnObject: Error {
        let body: String
    }

    /// The request bytes of `POST path` with `body`.
    static func request(_ path: String, _ body: String, keepAlive: Bool = false, authorization: String? = nil) -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + (authorization.map { "Authorization: \($0)\r\n" } ?? "")
            + "Content-Length: \(body.utf8.count)\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n" + body
    }

    /// `POST path` with `body` on a new connection, closed after the answer.
    static func post(port: Int, _ path: String, _ body: String, authorization: String? = nil) async throws -> Answer {
        self.parse(try await RawHTTP.request(port: port, self.request(path, body, authorization: authorization)))
    }

    /// Splits a whole response into status, headers and body, undoing chunked transfer encoding.
    static func parse(_ response: String) -> Answer {
        guard let headEnd = response.range(of: "\r\n\r\n") else { return Answer(status: 0, headers: [:], body: response) }
        let head = response[..<headEnd.lowerBound].components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(response[headEnd.upperBound...].utf8)
        if headers["transfer-encoding"] == "chunked" {
            body = self.dechunk(body)
        }
        return Answer(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    /// The data of a chunked body, as far as it goes.
    static func dechunk(_ chunked: [UInt8]) -> [UInt8] {
        var data: [UInt8] = []
        var index = 0
        while let lineEnd = (index..<max(index, chunked.count - 1)).first(where: { chunked[$0] == 13 && chunked[$0 + 1] == 10 }),
            let size = Int(String(decoding: chunked[index..<lineEnd], as: UTF8.self), radix: 16), size > 0
        {
            let start = lineEnd + 2
            let end = min(start + size, chunked.count)
            data += chunked[start..<end]
            index = end + 2
        }
        return data
    }
}
