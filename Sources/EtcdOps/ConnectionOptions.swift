import ArgumentParser
import EtcdClient
import EtcdProto
import GoFormat
import Operations

/// etcdctl's connection flags, read from `ETCDCTL_*` variables too: endpoints, timers, TLS and credentials
/// with etcdctl 3.4's meanings. A user without a password is refused rather than prompted for, since
/// etcd-ops runs unattended.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Comma-separated gRPC endpoints (host:port, http://host:port or https://host:port).")
    var endpoints = "127.0.0.1:2379"

    @Option(name: .customLong("dial-timeout"), help: "Dial timeout for client connections (Go duration).")
    var dialTimeout = "2s"

    @Option(name: .customLong("command-timeout"), help: "Timeout for short calls, excluding the dial timeout.")
    var commandTimeout = "5s"

    @Option(name: .customLong("keepalive-time"), help: "Keepalive time for client connections.")
    var keepaliveTime = "2s"

    @Option(name: .customLong("keepalive-timeout"), help: "Keepalive timeout for client connections.")
    var keepaliveTimeout = "6s"

    @Option(help: "username:password for authentication (or the name, with --password).")
    var user = ""

    @Option(help: "Password for authentication (then --user is only the name).")
    var password = ""

    @Option(help: "Verify the members' certificates with this CA bundle.")
    var cacert = ""

    @Option(help: "Identify this client with this TLS certificate file (needs --key).")
    var cert = ""

    @Option(help: "Identify this client with this TLS key file (needs --cert).")
    var key = ""

    @Option(
        name: .customLong("insecure-transport"),
        help: "Plaintext for host:port endpoints unless a TLS file is given; false asks for TLS (true/false)."
    )
    var insecureTransport = "true"

    @Option(
        name: .customLong("insecure-skip-tls-verify"),
        help: "Skip verifying the members' certificates, when TLS is in use (true/false; testing only)."
    )
    var insecureSkipTLSVerify = "false"

    /// The names of these flags, for the `ETCDCTL_*` variables.
    static let names = [
        "endpoints", "dial-timeout", "command-timeout", "keepalive-time", "keepalive-timeout", "user", "password", "cacert",
        "cert", "key", "insecure-transport", "insecure-skip-tls-verify",
    ]

    /// The flags that are Go booleans: given bare on the command line (`--insecure-skip-tls-verify`) they
    /// mean true.
    static let booleans: Set<String> = ["insecure-transport", "insecure-skip-tls-verify"]

    /// The settings the flags describe.
    func settings() throws(OpsError) -> ClientSettings {
        var settings = ClientSettings(endpoints: self.endpoints.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        settings.dialTimeout = try Self.duration(self.dialTimeout, "dial-timeout")
        settings.commandTimeout = try Self.duration(self.commandTimeout, "command-timeout")
        settings.keepaliveTime = try Self.duration(self.keepaliveTime, "keepalive-time")
        settings.keepaliveTimeout = try Self.duration(self.keepaliveTimeout, "keepalive-timeout")
        do throws(EtcdError) {
            settings.tls = try ClientTLS.fromFlags(
                caFile: self.cacert, certFile: self.cert, keyFile: self.key,
                insecureTransport: try Self.bool(self.insecureTransport, "insecure-transport"),
                insecureSkipVerify: try Self.bool(self.insecureSkipTLSVerify, "insecure-skip-tls-verify")
            )
        } catch {
            throw OpsError(.usage, error.message)
        }
        settings.credentials = try Credentials.fromFlags(user: self.user, password: self.password) { name throws(OpsError) in
            throw OpsError(.usage, "--user \(name) has no password: give --user \(name):PASSWORD or --password")
        }
        return settings
    }

    private static func duration(_ text: String, _ flag: String) throws(OpsError) -> Duration {
        guard let value = GoParse.duration(text) else { throw OpsError(.usage, "invalid --\(flag) \(text): not a duration (e.g. 5s)") }
        return value
    }

    private static func bool(_ text: String, _ flag: String) throws(EtcdError) -> Bool {
        guard let value = GoParse.bool(text) else { throw EtcdError(.invalidArgument, "invalid --\(flag) \(text): not a boolean (true or false)") }
        return value
    }
}
