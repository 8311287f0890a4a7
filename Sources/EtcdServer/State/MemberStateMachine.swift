import Backend
import EtcdProto
import Foundation
import Lease
import Logging
import Membership
import MVCC
import Raft
import Synchronization

/// The member's replicated state machine: applies committed entries to the backend in log order, on the
/// apply thread, and completes the proposals waiting for them.
///
/// Every entry, whatever it does, advances the consistent index, which the backend stores with the data in
/// the same commit; after a crash the member resumes after it. Membership changes update the members'
/// records and go back to Raft; requests the state machine refuses (an unknown lease, a compacted
/// revision) change nothing and report their error to their proposer.
final class MemberStateMachine: StateMachine, @unchecked Sendable {
    // Written on the apply thread only; `published` lets other threads read the current stores and
    // membership.
    var stores: StateStores
    var membership: ClusterMembership
    private let published: Mutex<(stores: StateStores, membership: ClusterMembership)>
    let memberID: UInt64
    let configuration: ServerConfiguration
    let proposals: ProposalRouter
    let lessor: Lessor
    let events: any StateMachineEvents
    let logger: Logger
    let quota: BackendQuota
    /// The simple tokens Authenticate entries registered.
    let tokens: AuthTokens
    var lastSnapshotIndex: UInt64

    init(
        stores: StateStores,
        membership: ClusterMembership,
        memberID: UInt64,
        snapshotIndex: UInt64,
        configuration: ServerConfiguration,
        proposals: ProposalRouter,
        lessor: Lessor,
        events: any StateMachineEvents,
        logger: Logger
    ) {
        self.stores = stores
        self.membership = membership
        self.published = Mutex((stores, membership))
        self.memberID = memberID
        self.lastSnapshotIndex = snapshotIndex
        self.configuration = configuration
        self.proposals = proposals
        self.lessor = lessor
        self.events = events
        self.logger = logger
        self.quota = BackendQuota(configuredBytes: configuration.quotaBackendBytes)
        self.tokens = AuthTokens(ttl: configuration.authTokenTTL)
    }

    /// The stores and membership as of the last applied entry; any thread. For what lives in memory (the
    /// revision, leases, alarms, sizes): a read of the backend goes through ``reading(_:)``.
    var current: (stores: StateStores, membership: ClusterMembership) {
        self.published.withLock { $0 }
    }

    /// Runs `body` with the current stores borrowed: a snapshot installed meanwhile publishes its stores
    /// at once but closes these only after `body` returns. Any thread; `body` must not wait for the apply
    /// thread.
    func reading<T, E: Error>(_ body: (StateStores) throws(E) -> T) throws(E) -> T {
        let stores = self.borrowCurrent()
        defer { stores.giveBack() }
        return try body(stores)
    }

    /// ``reading(_:)`` for a body that suspends (a copy on the thread pool).
    func reading<T: Sendable>(_ body: (StateStores) async throws -> T) async throws -> T {
        let stores = self.borrowCurrent()
        defer { stores.giveBack() }
        return try await body(stores)
    }

    private func borrowCurrent() -> StateStores {
        self.published.withLock { published in
            published.stores.borrow()
            return published.stores
        }
    }

    func apply(_ batch: ApplyBatch) -> [ConfChange] {
        var changes: [ConfChange] = []
        if let snapshot = batch.snapshot {
            changes = self.install(snapshot)
        }
        let applied = self.stores.store.consistentIndex.index
        // Entries at or below the consistent index are in the backend already (a restart replays them, and
        // a leader's snapshot database may run past its Raft snapshot); Raft's configuration for them was
        // set when the member started or installed that snapshot.
        for entry in batch.entries where entry.index > applied {
            if entry.term > self.stores.store.consistentIndex.term {
                self.proposals.applyingTerm(entry.term)
            }
            switch entry.kind {
            case .normal:
                if !entry.data.isEmpty { self.applyRequest(entry) }
            case .confChange:
                if let change = self.applyConfChange(entry) { changes.append(change) }
            }
            self.stores.store.setConsistentIndex(entry.index, term: entry.term)
            self.commitIfDue()
        }
        if let last = batch.entries.last {
            self.snapshotIfDue(at: last.index)
        }
        return changes
    }

    func runDueWork(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        self.commitIfDue(now: now)
        do {
            if try self.stores.store.runMaintenance(now: now) {
                return now + .milliseconds(10)
            }
        } catch {
            self.logger.error("compaction failed", metadata: ["error": "\(error)"])
        }
        return self.stores.backend.writer.nextCommitDeadline
    }

    func close() {
        do {
            try self.stores.commitAndRetire()
        } catch {
            // The WAL holds what the commit would have written; the next start applies it again.
            self.logger.error("backend commit on stop failed", metadata: ["error": "\(error)"])
        }
    }

    /// Makes the stores and membership visible to other threads and tells the member about the
    /// membership; returns the stores published before (replaced when a snapshot was installed).
    @discardableResult
    func publish() -> StateStores {
        let previous = self.published.withLock { published in
            defer { published = (self.stores, self.membership) }
            return published.stores
        }
        self.events.membershipChanged(self.membership)
        return previous
    }

    func commitIfDue(now: ContinuousClock.Instant = .now) {
        do {
            try self.stores.backend.writer.commitIfDue(now: now)
        } catch {
            self.logger.error("backend commit failed", metadata: ["error": "\(error)"])
        }
    }

    /// Commits what is pending now, `durably` past a power cut. Returns false (and logs why) when the
    /// backend cannot, for example on a full disk: the batch stays applied and a later commit retries it.
    func commitNow(durably: Bool = false) -> Bool {
        do {
            try self.stores.store.commit(durably: durably)
            return true
        } catch {
            self.logger.error("backend commit failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// After `snapshotCount` entries, makes the backend durable and asks the Raft loop to snapshot and
    /// compact its log there. When the backend cannot commit, the log is kept and the next entry retries.
    private func snapshotIfDue(at index: UInt64) {
        guard index >= self.lastSnapshotIndex + self.configuration.snapshotCount else { return }
        guard self.commitNow(durably: true) else { return }
        self.lastSnapshotIndex = index
        let term = self.stores.store.consistentIndex.term
        let confState = ConfState(voters: self.membership.voterIDs, learners: self.membership.learnerIDs)
        self.events.backendDurable(through: SnapshotMetadata(index: index, term: term, confState: confState))
    }
}

/// What the state machine tells the member as it applies.
protocol StateMachineEvents: AnyObject, Sendable {
    /// The membership changed (members added, removed, promoted, published).
    func membershipChanged(_ membership: ClusterMembership)
    /// This member was removed from the cluster.
    func removedFromCluster()
    /// The backend holds everything up to `metadata.index` durably: the Raft log may be snapshotted there.
    func backendDurable(through metadata: SnapshotMetadata)
    /// An applied request took the backend past its quota and no NOSPACE alarm is raised yet: this member
    /// must raise one for itself.
    func quotaExceeded()
}
