import Backend
import EtcdProto
import Foundation
import MVCC
import Testing

@Suite struct StoreConcurrencyTests {
    /// Readers on other threads, while the apply thread writes txns that set two keys to the same value
    /// and commits now and then, always see both keys equal: a txn is visible whole or not at all, and
    /// every read sees every write that returned before it began.
    @Test func readersSeeWholeTxnsAndEveryFinishedWrite() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let rounds = 1500
        let lastWritten = LockedCounter()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try fixture.write {
                    for round in 1...rounds {
                        let value = "\(round)"
                        _ = try fixture.applier.txn(Txn.request(success: [Txn.put("pair/a", value), Txn.put("pair/b", value)]))
                        lastWritten.set(round)
                        if round % 97 == 0 {
                            try fixture.store.commit()
                        }
                    }
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    while lastWritten.value < rounds {
                        let floor = lastWritten.value
                        let response = try fixture.get("pair/", end: "pair0")
                        let values = response.kvs.map { Int($0.value.text) ?? -1 }
                        if floor > 0 {
                            #expect(values.count == 2)
                            #expect(values.first == values.last, "a txn was seen half applied")
                            #expect((values.first ?? 0) >= floor, "a finished write was not visible")
                        }
                    }
                }
            }
        }
        #expect(try fixture.snapshot() == ["pair/a": "\(rounds)", "pair/b": "\(rounds)"])
    }

    @Test func aWriteThatDoesNotFitIsUndoneWhole() throws {
        let fixture = try StoreFixture { $0.mapSizeBytes = 1024 * 1024 }
        _ = try fixture.applier.leaseGrant({ var r = Etcdserverpb_LeaseGrantRequest(); r.id = 1; r.ttl = 5; return r }())
        var failure: KVError?
        var round = 0
        while failure == nil, round < 10_000 {
            let before = (fixture.store.currentRevision, try fixture.snapshot(), fixture.leases.keys(of: 1))
            let value = String(repeating: "x", count: 900)
            do {
                _ = try fixture.applier.txn(Txn.request(success: (0..<5).map { Txn.put("r\(round)-\($0)", value) { $0.lease = 1 } }))
            } catch {
                failure = error
                #expect(error.backendError == .mapFull)
                #expect(error.grpcCode == .resourceExhausted)
                #expect(error.grpcMessage == "etcdserver: mvcc: database space exceeded")
                #expect(fixture.store.currentRevision == before.0)
                #expect(try fixture.snapshot() == before.1)
                #expect(fixture.leases.keys(of: 1) == before.2, "lease attachments were undone too")
            }
            round += 1
        }
        #expect(failure != nil)
        let revision = fixture.store.currentRevision
        #expect(try fixture.get("r0-0").kvs.first?.modRevision == 2)
        #expect(try fixture.store.hashKV().revision == revision)
    }
}

/// An integer shared between tasks.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func set(_ value: Int) {
        lock.lock()
        stored = value
        lock.unlock()
    }
}
