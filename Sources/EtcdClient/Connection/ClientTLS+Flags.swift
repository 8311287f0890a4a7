import EtcdProto

extension ClientTLS {
    /// The settings etcdctl 3.4's TLS flags make (`--cacert`, `--cert`, `--key`, `--insecure-transport`,
    /// `--insecure-skip-tls-verify`; empty strings for files not named): settings exist when a file is
    /// named, or when `insecureTransport` is false (TLS with the system's roots); skipping verification
    /// applies only when they exist, so on its own it changes nothing. Nil means plaintext for bare
    /// `host:port` endpoints. Throws as ``init(caFile:certFile:keyFile:insecureSkipVerify:)`` does.
    public static func fromFlags(
        caFile: String,
        certFile: String,
        keyFile: String,
        insecureTransport: Bool,
        insecureSkipVerify: Bool
    ) throws(EtcdError) -> ClientTLS? {
        let files = [caFile, certFile, keyFile].map { $0.isEmpty ? nil : $0 }
        guard files.contains(where: { $0 != nil }) || !insecureTransport else { return nil }
        return try ClientTLS(caFile: files[0], certFile: files[1], keyFile: files[2], insecureSkipVerify: insecureSkipVerify)
    }
}

extension Credentials {
    /// The credentials etcdctl's `--user` and `--password` give: nil without a user; with a password flag
    /// the whole user flag is the name; otherwise `name:password` splits at the first colon, and a bare
    /// name gets its password from `ask` (etcdctl prompts for it).
    public static func fromFlags<Failure: Error>(
        user: String,
        password: String,
        ask: (_ user: String) throws(Failure) -> String
    ) throws(Failure) -> Credentials? {
        guard !user.isEmpty else { return nil }
        if !password.isEmpty { return Credentials(user: user, password: password) }
        guard let colon = user.firstIndex(of: ":") else { return Credentials(user: user, password: try ask(user)) }
        return Credentials(user: String(user[..<colon]), password: String(user[user.index(after: colon)...]))
    }
}
