/// The etcd release whose API, wire protocol and behaviour this distribution reproduces. Clients see these
/// strings in `Status`, in `/version` and in `--version` output.
public enum EtcdVersion {
    /// The server version reported to clients.
    public static let server = "3.5.17"
    /// The cluster version: the lowest server version of all members, with the patch level zeroed.
    public static let cluster = "3.5.0"
    /// The API version `etcdctl version` prints.
    public static let api = "3.5"
}
