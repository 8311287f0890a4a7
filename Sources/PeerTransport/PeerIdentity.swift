import EtcdProto

/// Who this member is on the peer port: its cluster, its id and its version, sent in every hello.
public struct PeerIdentity: Sendable, Equatable {
    public var clusterID: UInt64
    public var memberID: UInt64
    public var serverVersion: String

    /// An identity.
    public init(clusterID: UInt64, memberID: UInt64, serverVersion: String) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.serverVersion = serverVersion
    }

    /// The hello that opens a conversation of `kind` with member `peerID`.
    func hello(_ kind: Memberpb_PeerHello.Kind, to peerID: UInt64) -> Memberpb_PeerHello {
        var hello = Memberpb_PeerHello()
        hello.kind = kind
        hello.clusterID = self.clusterID
        hello.from = self.memberID
        hello.to = peerID
        hello.serverVersion = self.serverVersion
        return hello
    }
}
