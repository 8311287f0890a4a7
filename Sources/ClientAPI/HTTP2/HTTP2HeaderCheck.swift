import NIOHPACK

/// What RFC 9113 (sections 8.2 and 8.3) asks of the header blocks a client sends: lowercase names; in a
/// request, the pseudo-headers `:method`, `:scheme` and `:path` (and at most `:authority` besides), each once
/// and before every other field; no connection-specific fields, and `te` only as `trailers`. Trailers carry
/// no pseudo-headers. A block that breaks a rule makes the request malformed: its stream is reset with
/// `PROTOCOL_ERROR`, as grpc-go's server does.
enum HTTP2HeaderCheck {
    static func isValidRequest(_ headers: HPACKHeaders) -> Bool {
        var (method, scheme, path, authority) = (false, false, false, false)
        var regularSeen = false
        for (name, value, _) in headers {
            guard Self.isLowercase(name) else { return false }
            guard name.utf8.first == UInt8(ascii: ":") else {
                regularSeen = true
                guard Self.isAllowedField(name, value) else { return false }
                continue
            }
            guard !regularSeen else { return false }
            switch name {
            case ":method": guard !method else { return false }; method = true
            case ":scheme": guard !scheme else { return false }; scheme = true
            case ":path": guard !path, !value.isEmpty else { return false }; path = true
            case ":authority": guard !authority else { return false }; authority = true
            default: return false
            }
        }
        return method && scheme && path
    }

    static func isValidTrailers(_ headers: HPACKHeaders) -> Bool {
        headers.allSatisfy { name, value, _ in
            Self.isLowercase(name) && name.utf8.first != UInt8(ascii: ":") && Self.isAllowedField(name, value)
        }
    }

    private static func isAllowedField(_ name: String, _ value: String) -> Bool {
        switch name {
        case "te": value == "trailers"
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": false
        default: true
        }
    }

    private static func isLowercase(_ name: String) -> Bool {
        !name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }
}
