import EtcdProto
import Raft

/// Questions only the leader can answer (lease renewals and clocks, learner progress), asked by this
/// member's own API or by a follower over the peer port (`LEADER_QUERY`).
extension EtcdServer {
    /// The share of the leader's log a learner must hold before promotion (etcd's `readyPercent`).
    static let learnerReadyFraction = 0.9

    /// Answers `request` when this member leads; otherwise says it does not.
    func answerLeaderQuery(_ request: Memberpb_LeaderRequest) async -> Memberpb_LeaderReply {
        var reply = Memberpb_LeaderReply()
        guard self.leader.current.role == .leader else {
            reply.notLeader = true
            return reply
        }
        do {
            switch request.request {
            case .leaseRenew(let id):
                reply.ttl = try await self.renewAsLeader(id)
            case .leaseTimeToLive(let id):
                if let ttl = self.timeToLiveAsLeader(id) {
                    reply.ttl = ttl.remaining
                    reply.grantedTtl = ttl.granted
                } else {
                    reply.ttl = -1
                }
            case .learnerProgress(let id):
                reply.learnerReady = try await self.isLearnerReady(id)
            case .none:
                reply.error = "empty leader query"
            }
        } catch let error as EtcdError {
            reply.error = error.message
        } catch {
            reply.error = "\(error)"
        }
        return reply
    }

    /// The error a leader's reply carries, as the client-visible error: etcd's own where the text is one
    /// of the leader's known answers, else FAILED_PRECONDITION with the text.
    static func error(inLeaderReply message: String) -> EtcdError {
        for known in [EtcdError.notPrimaryLessor, .memberNotLearner, .timeout, .stopped] where known.message == message {
            return known
        }
        return EtcdError(.failedPrecondition, message)
    }

    /// etcd's rule: a learner may be promoted once its log holds 90% of the leader's.
    private func isLearnerReady(_ id: UInt64) async throws -> Bool {
        guard let status = await self.raftStatus() else { throw EtcdError.stopped }
        guard let learner = status.progress[id], learner.isLearner else { throw EtcdError.memberNotLearner }
        let leaderMatch = status.progress[self.memberID]?.match ?? status.basic.hardState.commit
        return Double(learner.match) >= Double(leaderMatch) * Self.learnerReadyFraction
    }
}
