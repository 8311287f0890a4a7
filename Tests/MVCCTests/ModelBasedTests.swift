import EtcdProto
import Foundation
import MVCC
import Raft
import Testing

/// Random requests against the store and against `ModelApplier`: every answer must be identical —
/// responses (revisions, versions, create and mod revisions, `more`, `count`) and errors, and a range's
/// response serialized from the stored key-values is byte for byte SwiftProtobuf's of the model's. Seeded; a
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
                let expected = model.range(request)
                check(Result { () throws(KVError) in try fixture.applier.range(request) }, expected, request, context)
                let encoded = Result { () throws(KVError) in try fixture.applier.encodedRange(request) }
                check(try Self.wire(encoded), try Self.wire(expected), request, context)
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

    /// The bytes the gRPC method sends for a range served without decoding its key-values.
    private static func wire(_ result: Result<EncodedRangeResponse, KVError>) throws -> Result<[UInt8], KVError> {
        switch result {
        case .success(let response): .success(try response.serializedBytes(header: Self.header(response.revision)))
        case .failure(let error): .failure(error)
        }
    }

    /// SwiftProtobuf's bytes for the typed range response, with the same header.
    private static func wire(_ result: Result<Etcdserverpb_RangeResponse, KVError>) throws -> Result<[UInt8], KVError> {
        switch result {
        case .success(var response):
            response.header = Self.header(response.header.revision)
            return .success(try response.serializedBytes())
        case .failure(let error): return .failure(error)
        }
    }

    /// A member's header at `revision`.
    private static func header(_ revision: Int64) -> Etcdserverpb_ResponseHeader {
        var header = Etcdserverpb_ResponseHeader()
        header.clusterID = 0x1234_5678_9abc
        header.memberID = 0xfeed_beef
        header.revision = revision
        header.raftTerm = 7
        return header
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
