import EtcdProto
import Foundation
import MVCC
import Testing

@Suite struct PutDeleteTests {
    private func putRequest(_ key: String, _ value: String = "", configure: (inout Etcdserverpb_PutRequest) -> Void = { _ in })
        -> Etcdserverpb_PutRequest
    {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        configure(&request)
        return request
    }

    @Test func putReturnsTheNewRevisionAndThePreviousValue() throws {
        let fixture = try StoreFixture()
        let first = try fixture.applier.put(putRequest("k", "1") { $0.prevKv = true })
        #expect(first.header.revision == 2)
        #expect(!first.hasPrevKv)
        let second = try fixture.applier.put(putRequest("k", "2") { $0.prevKv = true })
        #expect(second.header.revision == 3)
        #expect(second.prevKv.value.text == "1")
        #expect(second.prevKv.modRevision == 2)
        #expect(second.prevKv.version == 1)
    }

    @Test func ignoreValueAndIgnoreLeaseKeepTheExistingOnes() throws {
        let fixture = try StoreFixture()
        _ = try fixture.applier.leaseGrant({ var r = Etcdserverpb_LeaseGrantRequest(); r.id = 7; r.ttl = 60; return r }())
        try fixture.put("k", "original", lease: 7)
        _ = try fixture.applier.put(putRequest("k") { $0.ignoreValue = true; $0.lease = 0 })
        var keyValue = try #require(try fixture.get("k").kvs.first)
        #expect(keyValue.value.text == "original")
        #expect(keyValue.lease == 0, "ignore_value alone replaces the lease")
        try fixture.put("k", "with-lease", lease: 7)
        _ = try fixture.applier.put(putRequest("k", "new") { $0.ignoreLease = true })
        keyValue = try #require(try fixture.get("k").kvs.first)
        #expect(keyValue.value.text == "new")
        #expect(keyValue.lease == 7)
        #expect(fixture.leases.lease(attachedTo: bytes("k")) == 7)
    }

    @Test func rejectedPutsChangeNothing() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "1")
        let before = (fixture.store.currentRevision, try fixture.snapshot(), try fixture.store.hashKV().hash)
        expectKVError(.emptyKey) { try fixture.applier.put(putRequest("")) }
        expectKVError(.valueProvided) { try fixture.applier.put(putRequest("k", "x") { $0.ignoreValue = true }) }
        expectKVError(.leaseProvided) { try fixture.applier.put(putRequest("k") { $0.ignoreLease = true; $0.lease = 5 }) }
        expectKVError(.keyNotFound) { try fixture.applier.put(putRequest("missing") { $0.ignoreValue = true }) }
        expectKVError(.keyNotFound) { try fixture.applier.put(putRequest("missing") { $0.ignoreLease = true }) }
        expectKVError(.leaseNotFound) { try fixture.applier.put(putRequest("k", "y") { $0.lease = 99 }) }
        expectKVError(.leaseNotFound) { try fixture.applier.put(putRequest("missing") { $0.ignoreValue = true; $0.lease = 99 }) }
        let after = (fixture.store.currentRevision, try fixture.snapshot(), try fixture.store.hashKV().hash)
        #expect(before == after)

        #expect(KVError.keyNotFound.message == "etcdserver: key not found")
        #expect(KVError.keyNotFound.grpcCode == .invalidArgument)
        #expect(KVError.leaseNotFound.grpcMessage == "etcdserver: requested lease not found")
        #expect(KVError.leaseNotFound.grpcCode == .notFound)
        #expect(KVError.valueProvided.grpcMessage == "etcdserver: value is provided")
        #expect(KVError.leaseProvided.grpcMessage == "etcdserver: lease is provided")
    }

    @Test func deleteRangeCountsAndReturnsPreviousValues() throws {
        let fixture = try StoreFixture()
        for key in ["a", "b", "c", "d"] {
            try fixture.put(key, key.uppercased())
        }
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = Data("b".utf8)
        request.rangeEnd = Data("d".utf8)
        request.prevKv = true
        let response = try fixture.applier.deleteRange(request)
        #expect(response.deleted == 2)
        #expect(response.prevKvs.map(\.key.text) == ["b", "c"])
        #expect(response.prevKvs.map(\.value.text) == ["B", "C"])
        #expect(response.header.revision == 6)
        #expect(try fixture.snapshot() == ["a": "A", "d": "D"])
        let fromKey = try fixture.delete("b", end: "\0")
        #expect(fromKey.deleted == 1, "range_end \\0 deletes every key from the key on")
        #expect(try fixture.snapshot() == ["a": "A"])
    }

    @Test func deletingNothingKeepsTheRevision() throws {
        let fixture = try StoreFixture()
        try fixture.put("a", "1")
        let response = try fixture.delete("zzz")
        #expect(response.deleted == 0)
        #expect(response.header.revision == 2)
        #expect(fixture.store.currentRevision == 2)
        expectKVError(.emptyKey) { try fixture.delete("") }
    }

    @Test func versionsRestartAfterADelete() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "1")
        try fixture.put("k", "2")
        try fixture.delete("k")
        try fixture.put("k", "3")
        let keyValue = try #require(try fixture.get("k").kvs.first)
        #expect(keyValue.version == 1)
        #expect(keyValue.createRevision == 5)
        #expect(try fixture.get("k", revision: 3).kvs.first?.version == 2)
    }
}
