import ArgumentParser
import GoFormat
import Operations

/// etcdctl's connection flags, read from `ETCDCTL_*` variables too. TLS and authentication are refused
/// until the member serves them.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Comma-separated gRPC endpoints (host:port or http://host:port).")
    var endpoints = "127.0.0.1:2379"

    @Option(name: .customLong("dial-timeout"), help: "Dial timeout for client connections (Go duration).")
    var dialTimeout = "2s"

    @Option(name: .customLong("command-timeout"), help: "Timeout for short calls, excluding the dial timeout.")
    var commandTimeout = "5s"

    @Option(name: .customLong("keepalive-time"), help: "Keepalive time for client connections.")
    var keepaliveTime = "2s"

    @Option(name: .customLong("keepalive-timeout"), help: "Keepalive timeout for client connections.")
    var keepaliveTimeout = "6s"

    @Option(help: "username[:password] for authentication (not supported yet).")
    var user: String?

    @Option(help: "Password for authentication (not supported yet).")
    var password: String?

    @Option(help: "CA bundle for TLS (not supported yet).")
    var cacert: String?

    @Option(help: "Client TLS certificate (not supported yet).")
    var cert: String?

    @Option(help: "Client TLS key (not supported yet).")
    var key: String?

    /// The names of these flags, for the `ETCDCTL_*` variables.
    static let names = [
        "endpoints", "dial-timeout", "command-timeout", "keepalive-time", "keepalive-timeout", "user", "password", "cacert",
        "cert", "key",
    ]

    /// The settings the flags describe.
    func settings() throws(OpsError) -> ClientSettings {
        for (flag, value) in [("user", self.user), ("password", self.password), ("cacert", self.cacert), ("cert", self.cert), ("key", self.key)]
        where value != nil {
            throw OpsError(.usage, "--\(flag) is not supported yet (TLS and authentication come later)")
        }
        var settings = ClientSettings(endpoints: self.endpoints.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        settings.dialTimeout = try Self.duration(self.dialTimeout, "dial-timeout")
        settings.commandTimeout = try Self.duration(self.commandTimeout, "command-timeout")
        settings.keepaliveTime = try Self.duration(self.keepaliveTime, "keepalive-time")
        settings.keepaliveTimeout = try Self.duration(self.keepaliveTimeout, "keepalive-timeout")
        return settings
    }

    private static func duration(_ text: String, _ flag: String) throws(OpsError) -> Duration {
        guard let value = GoParse.duration(text) else { throw OpsError(.usage, "invalid --\(flag) \(text): not a duration (e.g. 5s)") }
        return value
    }
}
