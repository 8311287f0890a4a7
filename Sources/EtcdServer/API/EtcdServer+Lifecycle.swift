import EtcdProto
import Foundation
import Logging
import Raft

extension EtcdServer {
    /// How often waiting proposals are checked against their timeout.
    static let proposalTimeoutCheckInterval: Duration = .milliseconds(100)

    /// Runs the member's network and timers until ``beginShutdown()`` (or cancellation). `ready` is called
    /// once the member has published itself to the cluster, i.e. once a quorum exists and it serves
    /// clients (etcd's readiness, and systemd's `READY=1`). Throws ``removedFromCluster`` if the cluster
    /// removed this member.
    public func run(ready: @escaping @Sendable () -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.transport.run()
                return false
            }
            group.addTask {
                await self.reads.run()
                return false
            }
            group.addTask {
                try await self.advanceInitialElectionTicks()
                return false
            }
            group.addTask {
                await self.proposals.expireOverdue(every: Self.proposalTimeoutCheckInterval)
                return false
            }
            group.addTask {
                try await self.expireLeases()
                return false
            }
            group.addTask {
                try await self.checkpointLeases()
                return false
            }
            group.addTask {
                try await self.checkInitialHashKV()
                try await self.publishAttributes()
                ready()
                return false
            }
            group.addTask {
                for await _ in self.events.removed {
                    // Nothing waiting here can complete any more: answer it now ("server stopped", which
                    // clients take to another member) rather than when the client port has drained.
                    self.reads.stop()
                    self.proposals.failAll(with: .stopped)
                    throw Self.removedFromCluster
                }
                return false
            }
            group.addTask {
                try await self.runAutoCompaction()
                return false
            }
            group.addTask {
                try await self.runCorruptionChecks()
                return false
            }
            group.addTask {
                for await _ in self.events.quotaExceededSignals {
                    do {
                        try await self.raiseAlarm(.nospace)
                    } catch {
                        self.logger.warning("failed to raise the NOSPACE alarm", metadata: ["error": "\(error)"])
                    }
                }
                return false
            }
            group.addTask {
                for await _ in self.shutdownRequests { break }
                await self.transferLeadershipAway()
                return true
            }
            while let finished = try await group.next() {
                if finished { break }
            }
            group.cancelAll()
        }
    }

    /// The error ``run(ready:)`` ends with when the cluster removed this member.
    public static let removedFromCluster = EtcdError(
        .failedPrecondition,
        "the member has been permanently removed from the cluster"
    )

    /// Asks ``run(ready:)`` to end: leadership is handed to another voter first (when this member leads and
    /// one is caught up), so clients see no election.
    public func beginShutdown() {
        self.shutdownSignal.yield()
    }

    /// Stops the Raft and apply loops, committing the backend. Call after ``run(ready:)`` returned.
    public func stop() async {
        self.reads.stop()
        self.proposals.failAll(with: .stopped)
        await self.peerLink.stopSnapshotSends()
        await self.raftLoop.stop()
        self.applyLoop.stop()
        self.logger.info("member stopped", metadata: ["applied-index": "\(self.applyLoop.appliedIndex)"])
    }

    /// Proposes this member's name and client URLs until they are applied (etcd's `publish`).
    private func publishAttributes() async throws {
        var attributes = Memberpb_MemberAttributesSet()
        attributes.memberID = self.memberID
        attributes.name = self.configuration.name
        attributes.clientUrls = self.configuration.clientURLs
        var request = Memberpb_InternalRequest()
        request.memberAttributes = attributes
        while true {
            do {
                _ = try await self.propose(request)
                self.logger.info(
                    "published local member to cluster through raft",
                    metadata: ["name": "\(self.configuration.name)", "client-urls": "\(self.configuration.clientURLs)"]
                )
                return
            } catch let error as EtcdError where error == .stopped {
                throw error
            } catch {
                self.logger.debug("publishing the member's attributes failed; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: self.configuration.heartbeatInterval)
            }
        }
    }

    /// When leading, asks the most caught-up other voter to take over and waits (up to an election
    /// timeout) for it to lead.
    private func transferLeadershipAway() async {
        guard self.leader.current.leader == self.memberID, let status = await self.raftStatus() else { return }
        let candidates = status.progress.filter { $0.key != self.memberID && !$0.value.isLearner }
        guard let transferee = candidates.max(by: { $0.value.match < $1.value.match })?.key else { return }
        self.logger.info("transferring leadership before stopping", metadata: ["transferee": "\(String(transferee, radix: 16))"])
        self.submit(.transferLeadership(to: transferee))
        let deadline = ContinuousClock.now + self.configuration.electionTimeout
        while self.leader.current.leader == self.memberID, ContinuousClock.now < deadline {
            try? await Task.sleep(for: self.configuration.heartbeatInterval)
        }
    }
}
