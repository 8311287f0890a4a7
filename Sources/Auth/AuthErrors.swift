import EtcdProto

extension EtcdError {
    /// etcd's answer to a password given for a user without one: not in its error table, so it goes out
    /// as `Unknown` with the auth package's text.
    public static let passwordForNoPasswordUser = EtcdError(
        .unknown,
        "auth: authentication failed, password was given for no password user"
    )

    /// etcd's maintenance calls (snapshot, defragment, hash) answer a refused admin check with the auth
    /// package's raw error, as `Unknown`: the form of `error` they send.
    public static func maintenanceRefusal(_ error: EtcdError) -> EtcdError {
        switch error {
        case .userEmpty: EtcdError(.unknown, "auth: user name is empty")
        case .invalidAuthToken: EtcdError(.unknown, "auth: invalid auth token")
        case .userNotFound: EtcdError(.unknown, "auth: user name not found")
        case .permissionDenied: EtcdError(.unknown, "auth: permission denied")
        default: error
        }
    }
}
