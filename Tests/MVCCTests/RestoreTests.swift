import Backend
import EtcdProto
import Foundation
import Lease
import MVCC
import Raft
import Testing

@Suite struct RestoreTests {
    @Test(arguments: KeyIndexKind.allCases)
    func reopeningRebuildsTheSameStore(kind: KeyIndexKind) throws {
        let fixture = try StoreFixture(kind: kind)
        var random = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let key = "k\(random.next() % 40)"
            if random.next() % 4 == 0 {
                try fixture.delete(key)
            } else {
                try fixture.put(key, "\(random.next())")
            }
        }
        _ = try fixture.store.compact(150)
        try fixture.finishMaintenance()
        try fixture.put("after", "compaction")
        let revision = fixture.store.currentRevision
        let snapshots = try (150...revision).map { try fixture.get("\0", end: "\0", revision: $0).kvs }
        let hash = try fixture.store.hashKV()
        let keyCount = fixture.store.indexedKeyCount
        try fixture.reopen()
        #expect(fixture.store.currentRevision == revision)
        #expect(fixture.store.compactedRevision == 150)
        #expect(try (150...revision).map { try fixture.get("\0", end: "\0", revision: $0).kvs } == snapshots)
        #expect(try fixture.store.hashKV() == hash)
        #expect(fixture.store.indexedKeyCount <= keyCount)
        try fixture.put("k1", "new")
        #expect(try fixture.get("k1").kvs.first?.value.text == "new")
    }

    @Test func theConsistentIndexIsCommittedWithItsData() throws {
        let fixture = try StoreFixture()
        #expect(fixture.store.consistentIndex == ConsistentIndex(index: 0, term: 0))
        try fixture.put("a", "1")
        fixture.store.setConsistentIndex(10, term: 2)
        try fixture.store.commit()
        try fixture.put("b", "2")
        fixture.store.setConsistentIndex(11, term: 2)
        // Not committed: a crash (close without commit) loses both the write and the index.
        fixture.store.close()
        let configuration = fixture.backend.configuration
        fixture.backend.close()
        let backend = try Backend(configuration: configuration)
        let leases = try LeaseIndex(backend: backend)
        let store = try KVStore(backend: backend, leases: leases)
        #expect(store.consistentIndex == ConsistentIndex(index: 10, term: 2))
        #expect(try store.range(KeyRange(key: bytes("b"))).kvs.isEmpty)
        #expect(try store.range(KeyRange(key: bytes("a"))).kvs.count == 1)
        store.setConsistentIndex(11, term: 3)
        #expect(try store.runMaintenance(now: .now + .seconds(1)) == false)
        store.close()
        backend.close()
        let again = try Backend(configuration: configuration)
        let reopened = try KVStore(backend: again, leases: try LeaseIndex(backend: again))
        #expect(reopened.consistentIndex == ConsistentIndex(index: 11, term: 3), "an index alone is committed when due")
        reopened.close()
        again.close()
    }
}
