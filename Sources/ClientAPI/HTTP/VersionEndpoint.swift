import EtcdProto

/// `GET /version`: the server and cluster versions, as etcd's version handler reports them.
public enum VersionEndpoint {
    /// Registers the endpoint on `router`.
    public static func register(on router: inout HTTPRouter) {
        let body = #"{"etcdserver":"\#(EtcdVersion.server)","etcdcluster":"\#(EtcdVersion.cluster)"}"#
        router.add("/version", methods: [.GET]) { _ in .json(.ok, body) }
    }
}
