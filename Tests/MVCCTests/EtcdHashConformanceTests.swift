import Foundation
import MVCC
import Testing

/// `HashKV` against Go etcd: the expected hashes were produced by etcd 3.4.23 (Debian's `etcd-server`)
/// for the same history, with `etcdctl endpoint hashkv [--rev N]` before and after `etcdctl compact
/// 30`, and for a txn, a lease and a compaction at a delete. Equal hashes mean our key database holds byte-identical revision keys and values and our hash
/// honours compaction as etcd does.
@Suite struct EtcdHashConformanceTests {
    private func writeEtcdHistory(_ fixture: StoreFixture) throws {
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

    @Test(arguments: KeyIndexKind.allCases)
    func hashKVMatchesGoEtcd(kind: KeyIndexKind) throws {
        let fixture = try StoreFixture(kind: kind)
        try writeEtcdHistory(fixture)
        #expect(fixture.store.currentRevision == 57)
        #expect(try fixture.store.hashKV().hash == 731_054_647)
        #expect(try fixture.store.hashKV(revision: 30).hash == 1_998_462_328)
        _ = try fixture.store.compact(30)
        #expect(try fixture.store.hashKV().hash == 2_594_042_023)
        #expect(try fixture.store.hashKV(revision: 45).hash == 1_993_747_964)
        try fixture.finishMaintenance()
        #expect(try fixture.store.hashKV().hash == 2_594_042_023)
        #expect(try fixture.store.hashKV(revision: 45).hash == 1_993_747_964)
    }

    @Test(arguments: KeyIndexKind.allCases)
    func hashKVMatchesGoEtcdWithTxnsLeasesAndACompactedDelete(kind: KeyIndexKind) throws {
        let fixture = try StoreFixture(kind: kind)
        try fixture.put("a", "1")
        try fixture.put("b", "2")
        let txn = Txn.request(
            [Txn.compare("a", .value, .equal, .value(Data("1".utf8)))],
            success: [Txn.put("a", "10"), Txn.put("c", "30"), Txn.delete("b")], failure: [Txn.put("x", "y")])
        #expect(try fixture.applier.txn(txn).succeeded)
        let lease: Int64 = 0x694d_a205_6ed0_2108
        _ = try fixture.leases.grant(id: lease, ttlSeconds: 60)
        try fixture.put("d", "4", lease: lease)
        try fixture.put("a", "11")
        try fixture.delete("a")
        try fixture.put("e", "5")
        #expect(fixture.store.currentRevision == 8)
        #expect(try fixture.store.hashKV().hash == 811_818_879)
        _ = try fixture.store.compact(7)
        #expect(try fixture.store.hashKV().hash == 4_239_231_400)
        #expect(try fixture.store.hashKV(revision: 8).hash == 4_239_231_400)
        try fixture.finishMaintenance()
        #expect(try fixture.store.hashKV().hash == 4_239_231_400)
    }
}
