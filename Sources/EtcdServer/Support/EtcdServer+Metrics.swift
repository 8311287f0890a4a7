import EtcdProto
import MVCC
import Telemetry

extension EtcdServer {
    /// Sets the member's identity series and registers the sampler that sets its state gauges before each
    /// scrape: leadership, Raft indexes, pending proposals, the backend's size, keys, watchers, watch
    /// events and revisions, the MVCC operation counts, and the auth store's revision.
    func registerMetrics() {
        let metrics = self.configuration.metrics
        metrics.server.setIdentity(memberID: self.memberID, serverVersion: EtcdVersion.server)
        metrics.server.setClusterVersion(EtcdVersion.cluster.split(separator: ".").prefix(2).joined(separator: "."))
        metrics.server.quotaBackendBytes.set(to: Double(self.configuration.quotaBackendBytes))
        metrics.addSampler { [weak self] in
            guard let self else { return }
            self.sampleServer(metrics.server)
            self.sampleStore(metrics.mvcc)
            self.stateMachine.reading { stores in
                metrics.server.authRevision.set(to: Double(stores.auth.current.revision))
            }
        }
    }

    private func sampleServer(_ server: ServerMetrics) {
        let leadership = self.leader.current
        server.hasLeader.set(to: leadership.leader == .none ? 0 : 1)
        server.isLeader.set(to: leadership.role == .leader ? 1 : 0)
        server.setLeaderChangesSeen(leadership.changes)
        server.isLearner.set(to: self.membership.learnerIDs.contains(self.memberID) ? 1 : 0)
        server.proposalsCommitted.set(to: Double(self.events.committedIndex.load(ordering: .relaxed)))
        server.proposalsApplied.set(to: Double(self.applyLoop.appliedIndex))
        server.proposalsPending.set(to: Double(self.proposals.pendingCount))
    }

    private func sampleStore(_ mvcc: MVCCMetrics) {
        self.stateMachine.reading { stores in
            mvcc.dbTotalSizeBytes.set(to: Double(stores.backend.sizeBytes()))
            if let inUse = try? stores.backend.sizeInUseBytes() { mvcc.dbTotalSizeInUseBytes.set(to: Double(inUse)) }
            mvcc.dbOpenReadTransactions.set(to: Double(stores.backend.openViewCount))
        }
        let store = self.stores.store
        mvcc.currentRevision.set(to: Double(store.currentRevision))
        mvcc.compactRevision.set(to: Double(store.compactedRevision))
        let watches = store.watchStatistics
        mvcc.watchStreamTotal.set(to: Double(watches.streams))
        mvcc.watcherTotal.set(to: Double(watches.watchers))
        mvcc.slowWatcherTotal.set(to: Double(watches.unsynced))
        let statistics = store.statistics
        mvcc.keysTotal.set(to: Double(statistics.liveKeyCount))
        mvcc.totalPutSizeBytes.set(to: Double(statistics.putByteCount))
        mvcc.setWatchEventCounts(sent: statistics.sentEventCount, pending: statistics.pendingEventCount)
        mvcc.setOperationCounts(
            ranges: statistics.rangeCount,
            puts: statistics.putCount,
            deletes: statistics.deleteCount,
            txns: statistics.txnCount
        )
    }
}
