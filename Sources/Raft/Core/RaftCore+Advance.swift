extension RaftCore {
    /// Takes in what the owner did with a Ready: persisted its snapshot and entries, applied its committed entries.
    mutating func advance(_ ready: Ready) {
        if let snapshot = ready.snapshot {
            self.log.markSnapshotStable(index: snapshot.metadata.index)
        }
        if let last = ready.entries.last {
            precondition(self.log.storage.lastIndex() >= last.index,
                         "advance() before the Ready's entries up to \(last.index) were persisted")
            self.log.markStable(index: last.index, term: last.term)
        }
        if let lastApplied = ready.committedEntries.last {
            self.log.applied(to: lastApplied.index)
        } else if let snapshot = ready.snapshot {
            self.log.applied(to: snapshot.metadata.index)
        }
        if self.uncommittedBytes > 0 {
            // An estimate: entries committed from an earlier term were never counted, so it saturates at zero.
            self.uncommittedBytes = max(0, self.uncommittedBytes - EntryLimits.payloadBytes(of: ready.committedEntries))
        }
        if self.role == .leader {
            self.leaderPersisted()
        }
    }
}
