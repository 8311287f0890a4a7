import EtcdProto
import Foundation
import MVCC
import Raft
import Testing

/// Random requests against the store and against `ModelApplier`: every answer must be identical —
/// responses (revisions, versions, create and mod revisions, `more`, `count`) and errors. Seeded; a
/// failure names its seed. `MVCC_MODEL_SEEDS=n` runs n seeds per index kind instead of the default, and
/// `MVCC_MODEL_SEED=s` replays one.
@Suite struct ModelBasedTests {
    static let defaultSeeds = 12
    static let operationsPerSeed = 400

    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["MVCC_MODEL_SEED"].flatMap(UInt64.init) {
            return [seed]
        }
        let count = environment["MVCC_MODEL_SEEDS"].flatMap(Int.init) ?? defaultSeeds
        return (0..<UInt64(count)).map { 1000 + $0 }
    }

    @Test(arguments: KeyIndexKind.allCases)
    func theStoreAnswersLikeTheModel(kind: KeyIndexKind) throws {
        for seed in Self.seeds {
            try run(seed: seed, kind: kind)
        }
    }

    private func run(seed: UInt64, kind: KeyIndexKind) throws {
        let fixture = try StoreFixture(kind: kind, compactionBatchLimit: 3)
        var model = ModelApplier()
        var generator = RequestGenerator(random: SplitMix64(seed: seed))
        let replay = "MVCC_MODEL_SEED=\(seed) swift test --filter ModelBasedTests"
        for step in 0..<Self.operationsPerSeed {
            let context = Comment(rawValue: "seed \(seed), \(kind) index, step \(step); replay with: \(replay)")
            let current = model.model.currentRevision
            let compacted = model.model.compactedRevision
            switch generator.random.next() % 100 {
            case 0..<30:
                let request = generator.put()
                check(Result { () throws(KVError) in try fixture.applier.put(request) }, model.put(request), request, context)
            case 30..<42:
                let request = generator.delete()
                check(Result { () throws(KVError) in try fixture.applier.deleteRange(request) }, model.deleteRange(request), request, context)
            case 42..<67:
                let request = generator.range(current: current, compacted: compacted)
                check(Result { () throws(KVError) in try fixture.applier.range(request) }, model.range(request), request, context)
            case 67..<87:
                let request = generator.txn(current: current, compacted: compacted)
                check(Result { () throws(KVError) in try fixture.applier.txn(request) }, model.txn(request), request, context)
            case 87..<92:
                let revision = generator.number(max(compacted - 1, 0)...(current + 1))
                let actual = Result { () throws(KVError) in _ = try fixture.store.compact(revision); return fixture.store.currentRevision }
                #expect(actual == model.compact(revision), context)
            case 92..<95:
                let id = generator.leaseID()
                let actual = Result { () throws(KVError) in
                    var request = Etcdserverpb_LeaseGrantRequest()
                    request.id = id
                    request.ttl = 10
                    return try fixture.applier.leaseGrant(request).header.revision
                }
                #expect(actual == model.grant(id), context)
            case 95..<97:
                let id = generator.leaseID()
                let actual = Result { () throws(KVError) in
                    var request = Etcdserverpb_LeaseRevokeRequest()
                    request.id = id
                    return try fixture.applier.leaseRevoke(request).header.revision
                }
                #expect(actual == model.revoke(id), context)
            case 97:
                try fixture.reopen()
            default:
                try fixture.finishMaintenance()
            }
            for _ in 0..<(generator.random.next() % 3) {
                try fixture.store.runMaintenance()
            }
            #expect(fixture.store.currentRevision == model.model.currentRevision, context)
            #expect(fixture.store.compactedRevision == model.model.compactedRevision, context)
            if fixture.store.currentRevision != model.model.currentRevision {
                return
            }
        }
        try fixture.finishMaintenance()
        let readable = max(model.model.compactedRevision, 1)...model.model.currentRevision
        for revision in readable {
            var request = Etcdserverpb_RangeRequest()
            request.key = Data([0])
            request.rangeEnd = Data([0])
            request.revision = revision
            #expect(Result { () throws(KVError) in try fixture.applier.range(request) } == model.range(request),
                    "seed \(seed), final state at revision \(revision)")
        }
    }

    /// Records a mismatch with the request that caused it.
    private func check<Response: Equatable>(
        _ actual: Result<Response, KVError>, _ expected: Result<Response, KVError>, _ request: some Sendable, _ context: Comment
    ) {
        if actual != expected {
            Issue.record("\(context)\nrequest: \(request)\nstore: \(actual)\nmodel: \(expected)")
        }
    }
}
