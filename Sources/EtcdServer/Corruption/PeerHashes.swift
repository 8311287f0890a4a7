import EtcdProto
import Membership

/// What one peer answered when asked for the hash of its history at a revision.
struct PeerHash: Sendable {
    let memberID: UInt64
    /// The peer's hash, compaction revision and current revision (in the header), when it could hash.
    let response: Etcdserverpb_HashKVResponse?
    /// Why it could not: unreachable, or etcd's compacted / future revision error.
    let error: EtcdError?
}

extension EtcdServer {
    /// Every other member's hash of its history up to `revision`, asked in parallel over the peer
    /// transport; a member that does not answer within the request timeout is reported unreachable.
    func peerHashes(at revision: Int64) async -> [PeerHash] {
        let request = Etcdserverpb_HashKVRequest.with { $0.revision = revision }
        let peers = self.membership.members.keys.filter { $0 != self.memberID }.sorted()
        let timeout = self.configuration.requestTimeout
        return await withTaskGroup(of: PeerHash.self) { group in
            for peer in peers {
                group.addTask {
                    await withTaskGroup(of: PeerHash?.self) { race in
                        race.addTask { await self.askHash(of: peer, request) }
                        race.addTask {
                            try? await Task.sleep(for: timeout)
                            return Task.isCancelled ? nil : PeerHash(memberID: peer, response: nil, error: .timeout)
                        }
                        let first = await race.first { $0 != nil } ?? nil
                        race.cancelAll()
                        return first ?? PeerHash(memberID: peer, response: nil, error: .timeout)
                    }
                }
            }
            var hashes: [PeerHash] = []
            for await hash in group { hashes.append(hash) }
            return hashes.sorted { $0.memberID < $1.memberID }
        }
    }

    private func askHash(of peer: UInt64, _ request: Etcdserverpb_HashKVRequest) async -> PeerHash {
        do {
            let reply = try await self.transport.hashKV(of: peer, request)
            if reply.code != 0, let code = EtcdError.Code(rawValue: Int(reply.code)) {
                return PeerHash(memberID: peer, response: nil, error: EtcdError(code, reply.error))
            }
            return PeerHash(memberID: peer, response: reply.response, error: nil)
        } catch {
            return PeerHash(memberID: peer, response: nil, error: EtcdError(.unavailable, "\(error)"))
        }
    }
}
