import Logging
import NIOHTTP1

/// Which browsers' origins may read the client port's HTTP answers (`--cors`) and which `Host` names a
/// plain-HTTP request may use (`--host-whitelist`, etcd's guard against DNS rebinding). An empty set or
/// one holding `*` allows every origin or host, etcd's defaults.
public struct ClientAccessControl: Sendable {
    public var allowedOrigins: Set<String>
    public var allowedHosts: Set<String>

    /// Every origin and every host, as etcd allows by default.
    public static let allowAll = ClientAccessControl(allowedOrigins: ["*"], allowedHosts: ["*"])

    /// Creates a policy from the two lists.
    public init(allowedOrigins: Set<String>, allowedHosts: Set<String>) {
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = allowedHosts
    }

    func allowsOrigin(_ origin: String) -> Bool {
        self.allowedOrigins.isEmpty || self.allowedOrigins.contains("*") || self.allowedOrigins.contains(origin)
    }

    func allowsHost(_ host: String) -> Bool {
        self.allowedHosts.isEmpty || self.allowedHosts.contains("*") || self.allowedHosts.contains(host)
    }
}

/// The client port's HTTP requests pass here first, as through etcd's access controller: a plain-HTTP
/// request naming a host not allowed is refused with `421` and etcd's explanation; an allowed origin gets
/// the CORS headers on every answer; `OPTIONS` (a browser's preflight) is answered `200` with no body.
struct AccessControlledResponder: HTTPResponder {
    let inner: any HTTPResponder
    let control: ClientAccessControl
    /// Whether the requests come over plain HTTP, where the host is checked (etcd trusts TLS connections).
    let checksHost: Bool
    let logger: Logger

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        if self.checksHost {
            let host = Self.hostname(request.headers.first(name: "Host") ?? "")
            if !self.control.allowsHost(host) {
                self.logger.warning("rejecting HTTP request to prevent DNS rebinding attacks", metadata: ["host": "\(host)"])
                return .goError(HTTPResponseStatus(statusCode: 421), Self.rebindingExplanation(host))
            }
        }
        var response: HTTPResponse
        if request.method == .OPTIONS {
            response = HTTPResponse(status: .ok)
        } else {
            response = await self.inner.respond(to: request)
        }
        if self.control.allowsOrigin("*") {
            Self.addCORSHeaders(to: &response, origin: "*")
        } else if let origin = request.headers.first(name: "Origin"), self.control.allowsOrigin(origin) {
            Self.addCORSHeaders(to: &response, origin: origin)
        }
        return response
    }

    private static func addCORSHeaders(to response: inout HTTPResponse, origin: String) {
        response.headers.add(name: "Access-Control-Allow-Methods", value: "POST, GET, OPTIONS, PUT, DELETE")
        response.headers.add(name: "Access-Control-Allow-Origin", value: origin)
        response.headers.add(name: "Access-Control-Allow-Headers", value: "accept, content-type, authorization")
    }

    /// The host of a `Host` header without its port, as Go's `net.SplitHostPort` reads it (`[::1]:2379`
    /// gives `::1`); a value without a port is taken whole.
    static func hostname(_ value: String) -> String {
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
            let rest = value[value.index(after: close)...]
            guard rest.hasPrefix(":") else { return value }
            return String(value[value.index(after: value.startIndex)..<close])
        }
        guard let colon = value.lastIndex(of: ":"), value.firstIndex(of: ":") == colon else { return value }
        return String(value[..<colon])
    }

    /// etcd's answer to a request for a host not allowed.
    static func rebindingExplanation(_ host: String) -> String {
        """

        etcd received your request, but the Host header was unrecognized.

        To fix this, choose one of the following options:
        - Enable TLS, then any HTTPS request will be allowed.
        - Add the hostname you want to use to the whitelist in settings.
          - e.g. etcd --host-whitelist "\(host)"

        This requirement has been added to help prevent "DNS Rebinding" attacks (CVE-2018-5702).

        """
    }
}
