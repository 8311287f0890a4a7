import EtcdProto
import Foundation
import MVCC
import Testing

@Suite struct RangeTests {
    private func rangeRequest(_ key: String, _ end: String? = nil, configure: (inout Etcdserverpb_RangeRequest) -> Void = { _ in })
        -> Etcdserverpb_RangeRequest
    {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        if let end {
            request.rangeEnd = Data(end.utf8)
        }
        configure(&request)
        return request
    }

    private func keys(_ response: Etcdserverpb_RangeResponse) -> [String] {
        response.kvs.map(\.key.text)
    }

    @Test func anEmptyStoreIsAtRevisionOne() throws {
        let fixture = try StoreFixture()
        #expect(fixture.store.currentRevision == 1)
        let response = try fixture.get("a")
        #expect(response.kvs.isEmpty)
        #expect(response.count == 0)
        #expect(response.header.revision == 1)
    }

    @Test func singleKeyRangePrefixAndFromKey() throws {
        let fixture = try StoreFixture()
        for key in ["a", "b", "b/1", "b/2", "c", "d"] {
            try fixture.put(key, "v-" + key)
        }
        #expect(keys(try fixture.get("b")) == ["b"])
        #expect(try fixture.get("b").kvs.first?.value.text == "v-b")
        #expect(keys(try fixture.get("b", end: "c")) == ["b", "b/1", "b/2"])
        #expect(keys(try fixture.get("b/", end: "b0")) == ["b/1", "b/2"])
        let fromC = try fixture.applier.range(rangeRequest("c") { $0.rangeEnd = Data([0]) })
        #expect(keys(fromC) == ["c", "d"])
        let all = try fixture.applier.range(rangeRequest("\0") { $0.rangeEnd = Data([0]) })
        #expect(all.count == 6)
        #expect(keys(try fixture.get("x")) == [])
        #expect(keys(try fixture.get("c", end: "a")) == [], "an end before the key is an empty range")
    }

    @Test func keyValuesCarryCreateModVersionAndLease() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "1")
        try fixture.put("other", "x")
        try fixture.put("k", "2")
        let keyValue = try #require(try fixture.get("k").kvs.first)
        #expect(keyValue.createRevision == 2)
        #expect(keyValue.modRevision == 4)
        #expect(keyValue.version == 2)
        #expect(keyValue.lease == 0)
        try fixture.delete("k")
        try fixture.put("k", "3")
        let recreated = try #require(try fixture.get("k").kvs.first)
        #expect(recreated.createRevision == 6)
        #expect(recreated.version == 1)
    }

    @Test func readsAtPastRevisionsAndTheirErrors() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "1")
        try fixture.put("k", "2")
        try fixture.delete("k")
        try fixture.put("k", "3")
        #expect(try fixture.get("k", revision: 2).kvs.first?.value.text == "1")
        #expect(try fixture.get("k", revision: 3).kvs.first?.value.text == "2")
        #expect(try fixture.get("k", revision: 4).kvs.isEmpty)
        #expect(try fixture.get("k", revision: 5).kvs.first?.value.text == "3")
        #expect(try fixture.get("k", revision: 3).header.revision == 5, "the header carries the current revision")

        expectKVError(.futureRevision) { try fixture.get("k", revision: 6) }
        _ = try fixture.store.compact(3)
        expectKVError(.compacted) { try fixture.get("k", revision: 2) }
        #expect(try fixture.get("k", revision: 3).kvs.first?.value.text == "2", "the compacted revision itself stays readable")
        try fixture.finishMaintenance()
        #expect(try fixture.get("k", revision: 3).kvs.first?.value.text == "2")
        expectKVError(.compacted) { try fixture.get("k", revision: 1) }

        #expect(KVError.compacted.message == "mvcc: required revision has been compacted")
        #expect(KVError.compacted.grpcMessage == "etcdserver: mvcc: required revision has been compacted")
        #expect(KVError.compacted.grpcCode == .outOfRange)
        #expect(KVError.futureRevision.message == "mvcc: required revision is a future revision")
        #expect(KVError.futureRevision.grpcMessage == "etcdserver: mvcc: required revision is a future revision")
        #expect(KVError.futureRevision.grpcCode == .outOfRange)
    }

    @Test func limitMoreAndCountCoverTheWholeRange() throws {
        let fixture = try StoreFixture()
        for index in 0..<10 {
            try fixture.put("k\(index)", "\(index)")
        }
        let limited = try fixture.applier.range(rangeRequest("k", "l") { $0.limit = 3 })
        #expect(keys(limited) == ["k0", "k1", "k2"])
        #expect(limited.more)
        #expect(limited.count == 10)
        let exact = try fixture.applier.range(rangeRequest("k", "l") { $0.limit = 10 })
        #expect(!exact.more)
        #expect(exact.kvs.count == 10)
        let countOnly = try fixture.applier.range(rangeRequest("k", "l") { $0.countOnly = true })
        #expect(countOnly.kvs.isEmpty)
        #expect(countOnly.count == 10)
        #expect(!countOnly.more)
        let keysOnly = try fixture.applier.range(rangeRequest("k", "l") { $0.keysOnly = true; $0.limit = 2 })
        #expect(keysOnly.kvs.allSatisfy { $0.value.isEmpty })
        #expect(keysOnly.kvs.first?.modRevision == 2)
    }

    @Test func sortsApplyBeforeTheLimit() throws {
        let fixture = try StoreFixture()
        try fixture.put("a", "3")
        try fixture.put("b", "1")
        try fixture.put("c", "2")
        try fixture.put("a", "4")
        try fixture.put("a", "5")
        try fixture.put("c", "6")

        let byKeyDescending = try fixture.applier.range(rangeRequest("a", "z") { $0.sortOrder = .descend; $0.limit = 2 })
        #expect(keys(byKeyDescending) == ["c", "b"])
        #expect(byKeyDescending.more)
        let byVersion = try fixture.applier.range(rangeRequest("a", "z") { $0.sortTarget = .version })
        #expect(keys(byVersion) == ["b", "c", "a"], "a target without an order sorts ascending")
        let byVersionDescending = try fixture.applier.range(rangeRequest("a", "z") { $0.sortTarget = .version; $0.sortOrder = .descend; $0.limit = 1 })
        #expect(keys(byVersionDescending) == ["a"])
        #expect(byVersionDescending.count == 3)
        let byCreate = try fixture.applier.range(rangeRequest("a", "z") { $0.sortTarget = .create; $0.sortOrder = .descend })
        #expect(keys(byCreate) == ["c", "b", "a"])
        let byMod = try fixture.applier.range(rangeRequest("a", "z") { $0.sortTarget = .mod; $0.sortOrder = .ascend; $0.limit = 2 })
        #expect(keys(byMod) == ["b", "a"])
        #expect(byMod.more)
        let byValue = try fixture.applier.range(rangeRequest("a", "z") { $0.sortTarget = .value; $0.sortOrder = .descend })
        #expect(byValue.kvs.map(\.value.text) == ["6", "5", "1"])
    }

    @Test func revisionFiltersPruneWithoutChangingTheCount() throws {
        let fixture = try StoreFixture()
        try fixture.put("a", "1")
        try fixture.put("b", "1")
        try fixture.put("c", "1")
        try fixture.put("a", "2")
        let minMod = try fixture.applier.range(rangeRequest("a", "z") { $0.minModRevision = 4 })
        #expect(keys(minMod) == ["c", "a"].sorted())
        #expect(minMod.count == 3)
        let maxMod = try fixture.applier.range(rangeRequest("a", "z") { $0.maxModRevision = 3 })
        #expect(keys(maxMod) == ["b"])
        let minCreate = try fixture.applier.range(rangeRequest("a", "z") { $0.minCreateRevision = 3 })
        #expect(keys(minCreate) == ["b", "c"])
        let maxCreate = try fixture.applier.range(rangeRequest("a", "z") { $0.maxCreateRevision = 2; $0.limit = 1 })
        #expect(keys(maxCreate) == ["a"])
        #expect(!maxCreate.more)
    }

    @Test func invalidRangeRequestsAreRejected() throws {
        let fixture = try StoreFixture()
        expectKVError(.emptyKey) { try fixture.applier.range(Etcdserverpb_RangeRequest()) }
        expectKVError(.invalidSortOption) { try fixture.applier.range(rangeRequest("a") { $0.sortOrder = .UNRECOGNIZED(7) }) }
        expectKVError(.invalidSortOption) { try fixture.applier.range(rangeRequest("a") { $0.sortTarget = .UNRECOGNIZED(9) }) }
        #expect(KVError.emptyKey.grpcMessage == "etcdserver: key is not provided")
        #expect(KVError.emptyKey.grpcCode == .invalidArgument)
        #expect(KVError.invalidSortOption.grpcMessage == "etcdserver: invalid sort option")
    }
}
