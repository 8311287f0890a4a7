import NIOHPACK

/// What RFC 9113 (sections 8.2 and 8.3) asks of the header blocks a client sends: lowercase names; in a
/// request, the pseudo-headers `:method`, `:scheme` and `:path` (and at most `:authority` besides), each once
/// and before every other field; no connection-specific fields, and `te` only as `trailers`. Trailers carry
/// no pseudo-headers. A block that breaks a rule makes the request malformed: its stream is reset with
/// `PROTOCOL_ERROR`, as grpc-go's server does.
enum HTTP2HeaderCheck {
    static func isValidRequest(_ headers: HPACKHeaders) -> Bool {
        var pseudo: Set<String> = []
        var regularSeen = false
        for (name, value, _) in headers {
            guard Self.isLowercase(name) else { return false }
            if name.utf8.first == UInt8(ascii: ":") {
                guard !regularSeen, Self.requestPseudoHeaders.contains(name), pseudo.insert(name).inserted else { return false }
                if name == ":path" && value.isEmpty { return false }
            } else {
                regularSeen = true
                guard Self.isAllowedField(name, value) else { return false }
            }
        }
        return pseudo.contains(":method") && pseudo.contains(":scheme") && pseudo.contains(":path")
    }

    static func isValidTrailers(_ headers: HPACKHeaders) -> Bool {
        headers.allSatisfy { name, value, _ in
            Self.isLowercase(name) && name.utf8.first != UInt8(ascii: ":") && Self.isAllowedField(name, value)
        }
    }

    private static let requestPseudoHeaders: Set<String> = [":method", ":scheme", ":path", ":authority"]
    private static let connectionSpecific: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    private static func isAllowedField(_ name: String, _ value: String) -> Bool {
        if name == "te" { return value == "trailers" }
        return !Self.connectionSpecific.contains(name)
    }

    private static func isLowercase(_ name: String) -> Bool {
        !name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }
}
