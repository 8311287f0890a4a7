import EtcdProto
import Foundation
import Synchronization
import MVCC
import Testing

@Suite struct CompactionTests {
    /// Five revisions of ten keys, then deletes of the odd keys: revisions 2...56.
    private func writeHistory(_ fixture: StoreFixture) throws {
        for round in 0..<5 {
            for index in 0..<10 {
                try fixture.put("k\(index)", "r\(round)")
            }
        }
        for index in stride(from: 1, to: 10, by: 2) {
            try fixture.delete("k\(index)")
        }
        try fixture.put("k0", "last")
    }

    @Test func compactionErrorsAndTheScheduledRevision() throws {
        let fixture = try StoreFixture()
        try fixture.put("a", "1")
        try fixture.put("a", "2")
        expectKVError(.futureRevision) { try fixture.store.compact(4) }
        let ticket = try fixture.store.compact(2)
        #expect(!ticket.isFinished)
        #expect(fixture.store.compactedRevision == 2)
        expectKVError(.compacted) { try fixture.store.compact(2) }
        expectKVError(.compacted) { try fixture.store.compact(1) }
        try fixture.finishMaintenance()
        #expect(ticket.isFinished)
        #expect(fixture.store.pendingCompaction.isFinished)
    }

    @Test func physicalCompactionKeepsTheLatestRevisionOfEachKeyAndDropsDeletedKeys() throws {
        let fixture = try StoreFixture()
        try writeHistory(fixture)
        #expect(fixture.store.indexedKeyCount == 10)
        let current = fixture.store.currentRevision
        let before = try (0..<10).map { try fixture.get("k\($0)").kvs }
        _ = try fixture.store.compact(current)
        try fixture.finishMaintenance()
        #expect(fixture.store.indexedKeyCount == 5, "deleted keys leave the index")
        let after = try (0..<10).map { try fixture.get("k\($0)").kvs }
        #expect(before == after)
        #expect(try fixture.get("k2", revision: current).kvs.first?.value.text == "r4")
        try fixture.reopen()
        #expect(fixture.store.compactedRevision == current)
        #expect(fixture.store.indexedKeyCount == 5)
        #expect(try (0..<10).map { try fixture.get("k\($0)").kvs } == before)
        expectKVError(.compacted) { try fixture.get("k0", revision: current - 1) }
    }

    @Test func compactionRunsInBatchesBetweenWrites() throws {
        let fixture = try StoreFixture(compactionBatchLimit: 7)
        try writeHistory(fixture)
        let ticket = try fixture.store.compact(40)
        var steps = 0
        while try fixture.store.runMaintenance() {
            steps += 1
            try fixture.put("during-\(steps)", "x")
        }
        #expect(ticket.isFinished)
        #expect(steps > 5, "the work was split")
        #expect(try fixture.get("during-1").kvs.count == 1)
        let reference = try StoreFixture()
        try writeHistory(reference)
        for step in 1...steps {
            try reference.put("during-\(step)", "x")
        }
        _ = try reference.store.compact(40)
        #expect(try fixture.store.hashKV() == reference.store.hashKV())
    }

    @Test func eachCompactionStepIsReportedWithTheRevisionsItDeleted() throws {
        let steps = ReportedSteps()
        let fixture = try StoreFixture(compactionBatchLimit: 7, configureStore: { configuration in
            configuration.compactionObserver = { step in steps.list.withLock { $0.append(step) } }
        })
        try writeHistory(fixture)
        _ = try fixture.store.compact(40)
        try fixture.finishMaintenance()
        let reported = steps.list.withLock { $0 }
        var indexSteps = 0
        var databaseSteps = 0
        var deleted = 0
        for step in reported {
            switch step {
            case .index: indexSteps += 1
            case .database(_, let count):
                databaseSteps += 1
                deleted += count
            case .finished: break
            }
        }
        #expect(indexSteps == 2, "ten keys, seven at a time")
        #expect(databaseSteps == 6, "39 revisions up to 40, seven at a time")
        #expect(deleted == 29, "each of the ten keys keeps its newest revision up to 40")
        guard case .finished? = reported.last else {
            Issue.record("the last report is the end of the compaction: \(reported)")
            return
        }
        #expect(reported.dropLast().allSatisfy { if case .finished = $0 { false } else { true } })
    }

    @Test func aDeleteAtTheCompactedRevisionIsKept() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "1")
        try fixture.put("k", "2")
        let deleteRevision = try fixture.delete("k").header.revision
        try fixture.put("k", "3")
        _ = try fixture.store.compact(deleteRevision)
        try fixture.finishMaintenance()
        #expect(try fixture.get("k", revision: deleteRevision).kvs.isEmpty)
        #expect(try fixture.get("k").kvs.first?.value.text == "3")
        let hashBefore = try fixture.store.hashKV()
        try fixture.reopen()
        #expect(try fixture.store.hashKV() == hashBefore)
    }

    @Test func hashKVIsTheSameWhetherOrNotTheCompactionRan() throws {
        let compacted = try StoreFixture()
        let pending = try StoreFixture()
        let plain = try StoreFixture()
        for fixture in [compacted, pending, plain] {
            try writeHistory(fixture)
        }
        _ = try compacted.store.compact(30)
        _ = try pending.store.compact(30)
        try compacted.finishMaintenance()
        #expect(try compacted.store.hashKV() == pending.store.hashKV())
        #expect(try compacted.store.hashKV(revision: 45) == pending.store.hashKV(revision: 45))
        #expect(try compacted.store.hashKV().hash != plain.store.hashKV().hash, "the compaction revision changes what is hashed")
        #expect(try compacted.store.hashKV().compactRevision == 30)
        #expect(try plain.store.hashKV().compactRevision == -1)
        expectKVError(.compacted) { try compacted.store.hashKV(revision: 30) }
        expectKVError(.futureRevision) { try compacted.store.hashKV(revision: 58) }
        #expect(try plain.store.hashKV(revision: 20).hash != plain.store.hashKV().hash)
        try pending.reopen()
        try pending.finishMaintenance()
        #expect(try compacted.store.hashKV() == pending.store.hashKV())
    }

    @Test func anInterruptedCompactionResumesOnOpen() throws {
        let fixture = try StoreFixture()
        try writeHistory(fixture)
        _ = try fixture.store.compact(50)
        try fixture.reopen()
        #expect(fixture.store.compactedRevision == 50)
        #expect(fixture.store.hasPendingMaintenance)
        expectKVError(.compacted) { try fixture.get("k0", revision: 49) }
        try fixture.finishMaintenance()
        #expect(!fixture.store.hasPendingMaintenance)
        try fixture.reopen()
        #expect(!fixture.store.hasPendingMaintenance)
        #expect(fixture.store.compactedRevision == 50)
    }

    @Test func theApplierReportsCompactionsLikeEtcd() async throws {
        let fixture = try StoreFixture()
        try writeHistory(fixture)
        var request = Etcdserverpb_CompactionRequest()
        request.revision = 20
        request.physical = true
        let outcome = fixture.applier.compaction(request)
        #expect(try outcome.result.get().header.revision == fixture.store.currentRevision)
        try fixture.finishMaintenance()
        #expect(await outcome.physical.wait())
        let again = fixture.applier.compaction(request)
        #expect(throws: KVError.compacted) { try again.result.get() }
        #expect(again.physical.isFinished)
        request.revision = 1000
        #expect(throws: KVError.futureRevision) { try fixture.applier.compaction(request).result.get() }
    }
}

/// The compaction steps a store reported, from whichever thread it ran them on.
private final class ReportedSteps: Sendable {
    let list = Mutex<[CompactionStep]>([])
}
