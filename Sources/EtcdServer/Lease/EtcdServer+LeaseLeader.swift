import Auth
import EtcdProto
import Foundation
import Lease

/// The leader's side of leases: renewals and questions about them (asked locally or by followers over
/// the peer port), expiry and checkpoints through the log. Clocks are the `Lessor`'s; the state machine
/// tells it what the log grants, revokes and checkpoints.
extension EtcdServer {
    /// How often the leader looks for expired leases (etcd checks every 500 ms).
    static let leaseExpiryCheckInterval: Duration = .milliseconds(500)

    /// Renews lease `id` on the leader: returns its TTL, or -1 when the lease is unknown. Like etcd, it
    /// first confirms through a read-index round that this member still leads (a deposed leader that
    /// renewed would promise what the new leader does not keep), waits until it has applied everything
    /// committed, and when the lease has a checkpoint on record, clears it through the log before
    /// answering, so that a leader elected next restarts the lease from its full TTL.
    func renewAsLeader(_ id: Int64) async throws -> Int64 {
        do {
            try await self.reads.waitForLinearizableRead()
        } catch {
            self.logger.warning("failed to confirm this member leads; refusing a lease renewal", metadata: ["error": "\(error)"])
            throw EtcdError.notPrimaryLessor
        }
        guard self.leader.current.leader == self.memberID else { throw EtcdError.notPrimaryLessor }
        switch self.lessor.renew(id: id, now: .now) {
        case .notPrimary:
            throw EtcdError.notPrimaryLessor
        case .notFound:
            return -1
        case .renewed(let renewal):
            self.configuration.metrics.lease.renewedTotal.increment()
            if renewal.clearsCheckpoint {
                try await self.proposeCheckpoints([(id, 0)])
            }
            return renewal.ttlSeconds
        }
    }

    /// The granted TTL and seconds left of lease `id` by the leader's clock, or nil when it is unknown.
    func timeToLiveAsLeader(_ id: Int64) -> (granted: Int64, remaining: Int64)? {
        self.lessor.timeToLive(id: id, now: .now)
    }

    /// On the leader, revokes expired leases through the log, at most etcd's revoke rate. Like etcd 3.5,
    /// it confirms first (a read-index round) that it still leads: a deposed leader's clock is no longer
    /// the one that counts, and its revocations could reach the new leader.
    func expireLeases() async throws {
        while true {
            try await Task.sleep(for: Self.leaseExpiryCheckInterval)
            guard !self.lessor.expired(now: .now, limit: 1).isEmpty else { continue }
            do {
                try await self.reads.waitForLinearizableRead()
            } catch {
                self.logger.warning("failed to confirm this member leads; not revoking expired leases", metadata: ["error": "\(error)"])
                continue
            }
            let expired = self.lessor.expired(now: .now, limit: Lessor.revokeRatePerSecond / 2)
            guard !expired.isEmpty else { continue }
            await withTaskGroup(of: Void.self) { group in
                for id in expired {
                    group.addTask { await self.revokeExpired(id) }
                }
            }
        }
    }

    private func revokeExpired(_ id: Int64) async {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = id
        do {
            _ = try await CallerCredentials.$current.withValue(.member) { try await self.leaseRevoke(request) }
            self.configuration.metrics.server.leaseExpired.increment()
        } catch {
            // Still expired on the next round if this member still leads; a new leader has its own clock.
            self.logger.debug("revoking an expired lease failed", metadata: ["lease": "\(id)", "error": "\(error)"])
        }
    }

    /// With `--experimental-enable-lease-checkpoint`, records on the leader the remaining TTL of every
    /// lease longer than the interval, so that a new leader does not restart them from their full TTL.
    func checkpointLeases() async throws {
        guard let interval = self.configuration.leaseCheckpointInterval else { return }
        while true {
            try await Task.sleep(for: interval)
            let remaining = self.lessor.checkpoints(now: .now, interval: interval)
            guard !remaining.isEmpty else { continue }
            do {
                try await self.proposeCheckpoints(remaining)
            } catch {
                self.logger.debug("checkpointing leases failed; the next round retries", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Proposes one checkpoint request (etcd batches at most 1,000 leases per entry) and waits for it.
    private func proposeCheckpoints(_ leases: [(id: Int64, remainingSeconds: Int64)]) async throws {
        for batch in stride(from: 0, to: leases.count, by: Self.checkpointBatch).map({ leases[$0..<min($0 + Self.checkpointBatch, leases.count)] }) {
            var checkpoint = Etcdserverpb_LeaseCheckpointRequest()
            checkpoint.checkpoints = batch.map { lease in
                var entry = Etcdserverpb_LeaseCheckpoint()
                entry.id = lease.id
                entry.remainingTtl = lease.remainingSeconds
                return entry
            }
            var request = Memberpb_InternalRequest()
            request.leaseCheckpoint = checkpoint
            _ = try await self.propose(request)
        }
    }

    /// etcd's `maxLeaseCheckpointBatchSize`.
    private static let checkpointBatch = 1_000
}
