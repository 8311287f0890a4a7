/// A user name and password an ``EtcdClient`` authenticates with (etcdctl's `--user name:password`). As
/// clientv3 does, the client authenticates only when both are non-empty.
public struct Credentials: Sendable, Hashable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Whether the client authenticates with these: neither part empty.
    var isUsable: Bool { !self.user.isEmpty && !self.password.isEmpty }
}
