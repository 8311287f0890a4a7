import EtcdProto
import Foundation
import MVCC
import Testing

@Suite struct LeaseAttachmentTests {
    private func grant(_ fixture: StoreFixture, _ id: Int64, ttl: Int64 = 60) throws {
        var request = Etcdserverpb_LeaseGrantRequest()
        request.id = id
        request.ttl = ttl
        let response = try fixture.applier.leaseGrant(request)
        #expect(response.id == id)
        #expect(response.ttl == ttl)
    }

    private func revoke(_ fixture: StoreFixture, _ id: Int64) throws -> Etcdserverpb_LeaseRevokeResponse {
        var request = Etcdserverpb_LeaseRevokeRequest()
        request.id = id
        return try fixture.applier.leaseRevoke(request)
    }

    @Test func putsAttachAndOverwritesAndDeletesDetach() throws {
        let fixture = try StoreFixture()
        try grant(fixture, 1)
        try grant(fixture, 2)
        try fixture.put("a", "x", lease: 1)
        try fixture.put("b", "x", lease: 1)
        try fixture.put("c", "x", lease: 2)
        #expect(fixture.leases.keys(of: 1) == [bytes("a"), bytes("b")])
        try fixture.put("b", "y", lease: 2)
        try fixture.put("a", "y")
        try fixture.delete("c")
        #expect(fixture.leases.keys(of: 1) == [])
        #expect(fixture.leases.keys(of: 2) == [bytes("b")])
        #expect(try fixture.get("b").kvs.first?.lease == 2)
    }

    @Test func revokeDeletesTheKeysInOneRevision() async throws {
        let fixture = try StoreFixture(applyThread: true)
        try fixture.write {
            try grant(fixture, 9)
            try fixture.put("z", "1", lease: 9)
            try fixture.put("m", "1", lease: 9)
            try fixture.put("keep", "1")
        }
        let stream = fixture.store.makeWatchStream()
        _ = try await stream.watch(WatchRequest(range: KeyRange(key: [0], end: [])))
        let before = fixture.store.currentRevision
        let response = try fixture.write { try revoke(fixture, 9) }
        #expect(response.header.revision == before + 1)
        #expect(try fixture.snapshot() == ["keep": "1"])
        #expect(fixture.leases.lookup(9) == nil)
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next()?.kind == .created)
        let events = try #require(await iterator.next())
        #expect(events.events.map(\.kv.key.text) == ["m", "z"], "deleted in key order")
        #expect(events.events.allSatisfy { $0.type == .delete && $0.kv.modRevision == before + 1 })
        stream.close()
        expectKVError(.leaseNotFound) { try fixture.write { try revoke(fixture, 9) } }
        try fixture.write { try fixture.reopen() }
        #expect(fixture.leases.lookup(9) == nil, "the record's deletion is durable")
    }

    @Test func revokingALeaseWithoutKeysKeepsTheRevision() throws {
        let fixture = try StoreFixture()
        try grant(fixture, 3)
        let before = fixture.store.currentRevision
        #expect(try revoke(fixture, 3).header.revision == before)
        #expect(fixture.leases.lookup(3) == nil)
    }

    @Test func attachmentsAreRebuiltOnOpen() throws {
        let fixture = try StoreFixture()
        try grant(fixture, 1)
        try grant(fixture, 2)
        try fixture.put("a", "x", lease: 1)
        try fixture.put("b", "x", lease: 1)
        try fixture.put("b", "y", lease: 2)
        try fixture.put("c", "x", lease: 2)
        try fixture.delete("c")
        try fixture.put("d", "x", lease: 1)
        try fixture.put("d", "y")
        try fixture.reopen()
        #expect(fixture.leases.keys(of: 1) == [bytes("a")])
        #expect(fixture.leases.keys(of: 2) == [bytes("b")])
        _ = try revoke(fixture, 2)
        #expect(try fixture.snapshot() == ["a": "x", "d": "y"])
    }

    @Test func leaseErrorsKeepEtcdsMessagesThroughTheApplier() throws {
        let fixture = try StoreFixture()
        try grant(fixture, 5)
        var request = Etcdserverpb_LeaseGrantRequest()
        request.id = 5
        request.ttl = 1
        expectKVError(.leaseExists) { try fixture.applier.leaseGrant(request) }
        request.id = 6
        request.ttl = 9_000_000_001
        expectKVError(.leaseTTLTooLarge) { try fixture.applier.leaseGrant(request) }
        #expect(KVError.leaseExists.grpcMessage == "etcdserver: lease already exists")
        #expect(KVError.leaseTTLTooLarge.grpcCode == .outOfRange)
        var checkpoint = Etcdserverpb_LeaseCheckpointRequest()
        var entry = Etcdserverpb_LeaseCheckpoint()
        entry.id = 5
        entry.remainingTtl = 17
        checkpoint.checkpoints = [entry]
        _ = try fixture.applier.leaseCheckpoint(checkpoint)
        try fixture.reopen()
        #expect(fixture.leases.lookup(5)?.remainingTTLSeconds == 17)
    }
}
