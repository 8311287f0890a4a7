/// What a request presents to say who sends it, as the client port received it: the `token` metadata (or
/// the gateway's `Authorization` header), and the Common Name of a verified client certificate. The
/// member turns it into an ``AuthIdentity`` when auth is enabled.
///
/// It travels with the request's task (``current``), as Go etcd's context carries the gRPC metadata, so
/// every layer between the client port and the proposal sees the same caller without passing it along.
public struct CallerCredentials: Sendable, Hashable {
    /// The token the client attached, if any.
    public var token: String?
    /// The Common Name of the client's verified certificate, if it presented one.
    public var commonName: String?
    /// Whether the request came through the JSON gateway (whose requests never use the certificate's name).
    public var viaGateway: Bool
    /// Whether the member itself sends the request (a lease's expiry): it acts as user `root`, as etcd's
    /// own requests do.
    public var isMember: Bool

    public init(token: String? = nil, commonName: String? = nil, viaGateway: Bool = false, isMember: Bool = false) {
        self.token = token
        self.commonName = commonName
        self.viaGateway = viaGateway
        self.isMember = isMember
    }

    /// The credentials of the request the current task serves; none outside a request.
    @TaskLocal public static var current = CallerCredentials()

    /// The member's own requests.
    public static let member = CallerCredentials(isMember: true)
}
