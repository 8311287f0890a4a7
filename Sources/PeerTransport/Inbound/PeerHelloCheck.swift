import EtcdProto

/// Whether a peer's hello is accepted: it must come from a member of this cluster that was not removed,
/// and be meant for this member. A cluster query is answered to anyone.
struct PeerHelloCheck {
    let identity: PeerIdentity
    let delegate: any PeerTransportDelegate

    /// Why `hello` is refused, or nil to accept it.
    func refusal(of hello: Memberpb_PeerHello) -> String? {
        if hello.kind == .clusterQuery { return nil }
        if self.delegate.isRemoved(hello.from) { return PeerRefusal.removedMemberReason }
        if hello.clusterID != self.identity.clusterID {
            return "cluster ID mismatch: local \(hex(self.identity.clusterID)), remote \(hex(hello.clusterID))"
        }
        if hello.to != self.identity.memberID {
            return "member ID mismatch: this is \(hex(self.identity.memberID)), the peer dialed \(hex(hello.to))"
        }
        return nil
    }
}
