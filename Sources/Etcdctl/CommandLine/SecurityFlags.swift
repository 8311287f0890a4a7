/// The names of the flags one client's TLS settings and credentials come from: the global ones, or
/// make-mirror's `--dest-*` for its destination cluster.
struct SecurityFlags: Sendable {
    let cert: String
    let key: String
    let cacert: String
    let insecureTransport: String
    /// The skip-verification flag; the destination of make-mirror has none.
    let skipVerify: String?
    let user: String
    let password: String
    /// What is asked when the user flag holds no password.
    let prompt: String
    /// Whether a TLS flag given as an empty string is refused (the global flags are; make-mirror's are not).
    let refusesEmpty: Bool

    /// `--cert`, `--key`, `--cacert`, `--insecure-transport`, `--insecure-skip-tls-verify`, `--user`, `--password`.
    static let global = SecurityFlags(
        cert: "cert", key: "key", cacert: "cacert", insecureTransport: "insecure-transport",
        skipVerify: "insecure-skip-tls-verify", user: "user", password: "password", prompt: "Password: ",
        refusesEmpty: true
    )

    /// make-mirror's flags for the destination cluster.
    static let mirrorDestination = SecurityFlags(
        cert: "dest-cert", key: "dest-key", cacert: "dest-cacert", insecureTransport: "dest-insecure-transport",
        skipVerify: nil, user: "dest-user", password: "dest-password", prompt: "Destination Password: ",
        refusesEmpty: false
    )
}
