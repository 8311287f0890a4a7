import Backend

extension KVStore {
    /// Compacts the history at `revision`: reads below it fail from now on, and the physical work (the
    /// key index, then the key database, `compactionBatchLimit` at a time) runs in `runMaintenance`
    /// steps. Returns the ticket of that work (wait on it for etcd's `physical: true`). Apply thread.
    /// Throws `compacted` when `revision` is not above the compacted revision (`pendingCompaction` is
    /// then the ticket to wait on) and `futureRevision` above the current one, changing nothing.
    public func compact(_ revision: Int64) throws(KVError) -> CompactionTicket {
        let state = revisions
        if revision <= state.compacted {
            throw .compacted
        }
        if revision > state.current {
            throw .futureRevision
        }
        do {
            try backend.writer.apply([
                .put(metaDatabase, key: MetaKeys.scheduledCompactRevision, value: RevisionKey.encode(Revision(main: revision)))
            ])
        } catch {
            throw .backend(error)
        }
        setCompacted(revision)
        let ticket = CompactionTicket()
        lastCompactionTicket = ticket
        compactionJobs.append(CompactionJob(revision: revision, ticket: ticket))
        return ticket
    }

    /// The ticket of the latest compaction (finished when there is none pending).
    public var pendingCompaction: CompactionTicket { lastCompactionTicket }

    /// True while compaction work remains. Apply thread.
    public var hasPendingMaintenance: Bool { !compactionJobs.isEmpty }

    /// Does the store's background work on the apply thread, between entries: one compaction step
    /// (bounded by `compactionBatchLimit`, so it never holds writes up for long), then the backend
    /// commit when the batch is due. Returns true while compaction work remains: call it again soon;
    /// otherwise call it at least by `backend.writer.nextCommitDeadline`.
    @discardableResult
    public func runMaintenance(now: ContinuousClock.Instant = ContinuousClock.now) throws(KVError) -> Bool {
        if let job = compactionJobs.first {
            try step(job)
        }
        do {
            try backend.writer.commitIfDue(now: now)
        } catch {
            throw .backend(error)
        }
        return !compactionJobs.isEmpty
    }

    private func step(_ job: CompactionJob) throws(KVError) {
        let limit = configuration.compactionBatchLimit
        let started = ContinuousClock.now
        switch job.phase {
        case .index(let next):
            let outcome: (next: [UInt8]?, mutations: [Mutation])
            do {
                outcome = try index.compact(atRev: job.revision, from: next, limit: limit)
                try backend.writer.apply(outcome.mutations)
            } catch {
                throw .backend(error)
            }
            job.phase = outcome.next.map { .index(next: $0) } ?? .physical(next: [])
            configuration.compactionObserver?(.index(pause: ContinuousClock.now - started))
        case .physical(let next):
            if job.physicalStarted == nil { job.physicalStarted = started }
            let outcome = try deleteCompactedRevisions(atRev: job.revision, from: next, limit: limit)
            guard outcome.finished else {
                job.phase = .physical(next: outcome.next)
                configuration.compactionObserver?(.database(pause: ContinuousClock.now - started, deleted: outcome.deleted))
                return
            }
            do {
                try backend.writer.apply([
                    .put(metaDatabase, key: MetaKeys.finishedCompactRevision, value: RevisionKey.encode(Revision(main: job.revision)))
                ])
                try backend.writer.commit()
            } catch {
                throw .backend(error)
            }
            compactionJobs.removeFirst()
            let finished = ContinuousClock.now
            configuration.compactionObserver?(.database(pause: finished - started, deleted: outcome.deleted))
            configuration.compactionObserver?(.finished(databaseTotal: finished - (job.physicalStarted ?? started)))
            job.ticket.finish(completed: true)
        }
    }

    /// Deletes up to `limit` revisions at or below `atRev`, from `start` on, that the compacted key
    /// index no longer holds; returns where to go on, whether that was the end, and how many it deleted.
    private func deleteCompactedRevisions(
        atRev: Int64, from start: [UInt8], limit: Int
    ) throws(KVError) -> (next: [UInt8], finished: Bool, deleted: Int) {
        var scanned: [(revisionKey: [UInt8], revision: Revision, key: [UInt8]?)] = []
        var deleted = 0
        let end = RevisionKey.encode(Revision(main: atRev + 1))
        do {
            try backend.writer.scan(keyDatabase, from: start, to: end) { revisionBytes, valueBytes in
                scanned.append((Array(revisionBytes), RevisionKey.decode(revisionBytes), KeyValueFields.key(valueBytes)))
                return scanned.count < limit
            }
            var deletions: [Mutation] = []
            for entry in scanned {
                guard let key = entry.key else {
                    throw KVError.corrupt("the value at revision \(entry.revision) is not a KeyValue")
                }
                if try index.keyIndex(key, view: nil)?.contains(entry.revision) != true {
                    deletions.append(.delete(keyDatabase, key: entry.revisionKey))
                }
            }
            try backend.writer.apply(deletions)
            deleted = deletions.count
        } catch let error as KVError {
            throw error
        } catch let error as BackendError {
            throw .backend(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        guard scanned.count == limit, let last = scanned.last else { return ([], true, deleted) }
        return (last.revisionKey + [0], false, deleted)
    }
}
