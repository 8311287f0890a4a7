import EtcdProto
import Foundation
import MVCC
import Testing

/// Builders for txn requests.
enum Txn {
    static func put(_ key: String, _ value: String = "v", configure: (inout Etcdserverpb_PutRequest) -> Void = { _ in }) -> Etcdserverpb_RequestOp {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        configure(&request)
        var op = Etcdserverpb_RequestOp()
        op.requestPut = request
        return op
    }

    static func delete(_ key: String, _ end: String? = nil, prevKV: Bool = false) -> Etcdserverpb_RequestOp {
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = Data(key.utf8)
        if let end {
            request.rangeEnd = Data(end.utf8)
        }
        request.prevKv = prevKV
        var op = Etcdserverpb_RequestOp()
        op.requestDeleteRange = request
        return op
    }

    static func range(_ key: String, _ end: String? = nil, revision: Int64 = 0) -> Etcdserverpb_RequestOp {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        if let end {
            request.rangeEnd = Data(end.utf8)
        }
        request.revision = revision
        var op = Etcdserverpb_RequestOp()
        op.requestRange = request
        return op
    }

    static func nested(_ request: Etcdserverpb_TxnRequest) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        op.requestTxn = request
        return op
    }

    static func request(_ compares: [Etcdserverpb_Compare] = [], success: [Etcdserverpb_RequestOp] = [], failure: [Etcdserverpb_RequestOp] = [])
        -> Etcdserverpb_TxnRequest
    {
        var request = Etcdserverpb_TxnRequest()
        request.compare = compares
        request.success = success
        request.failure = failure
        return request
    }

    static func compare(_ key: String, _ target: Etcdserverpb_Compare.CompareTarget, _ result: Etcdserverpb_Compare.CompareResult,
                        _ union: Etcdserverpb_Compare.OneOf_TargetUnion?, end: String? = nil) -> Etcdserverpb_Compare {
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key.utf8)
        compare.target = target
        compare.result = result
        compare.targetUnion = union
        if let end {
            compare.rangeEnd = Data(end.utf8)
        }
        return compare
    }
}

@Suite struct TxnTests {
    @Test func comparesChooseTheBranch() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "v1")
        try fixture.put("k", "v2")
        let cases: [(Etcdserverpb_Compare, Bool)] = [
            (Txn.compare("k", .value, .equal, .value(Data("v2".utf8))), true),
            (Txn.compare("k", .value, .greater, .value(Data("v1".utf8))), true),
            (Txn.compare("k", .value, .less, .value(Data("v1".utf8))), false),
            (Txn.compare("k", .version, .equal, .version(2)), true),
            (Txn.compare("k", .create, .equal, .createRevision(2)), true),
            (Txn.compare("k", .mod, .notEqual, .modRevision(3)), false),
            (Txn.compare("k", .mod, .greater, .modRevision(2)), true),
            (Txn.compare("k", .lease, .equal, .lease(0)), true),
            (Txn.compare("missing", .version, .equal, .version(0)), true),
            (Txn.compare("missing", .create, .equal, .createRevision(0)), true),
            (Txn.compare("missing", .value, .equal, .value(Data())), false),
            (Txn.compare("k", .version, .equal, .value(Data("x".utf8))), false),
        ]
        for (compare, expected) in cases {
            let response = try fixture.applier.txn(Txn.request([compare], success: [Txn.range("k")], failure: []))
            #expect(response.succeeded == expected, "\(compare)")
            #expect(response.responses.count == (expected ? 1 : 0))
        }
        #expect(fixture.store.currentRevision == 3, "read-only txns do not change the revision")
    }

    @Test func aCompareWhoseReadFailsFailsTheTxnInsteadOfChoosingABranch() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "v")
        // The record of revision 2 in the key database stops decoding: the compare cannot read `k`.
        let revision2: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 2, 0x5F, 0, 0, 0, 0, 0, 0, 0, 0]
        try fixture.backend.writer.apply([.put(fixture.backend.database("key"), key: revision2, value: [0xFF, 0xFF, 0xFF])])
        let compare = Txn.compare("k", .value, .equal, .value(Data("v".utf8)))
        do {
            let response = try fixture.applier.txn(Txn.request([compare], success: [Txn.put("chosen", "success")], failure: [Txn.put("chosen", "failure")]))
            Issue.record("the txn went down a branch without reading its compare: succeeded \(response.succeeded)")
        } catch {
            #expect(error.isCorruption, "\(error)")
        }
        #expect(try fixture.get("chosen").kvs.isEmpty, "neither branch ran")
    }

    @Test func compareOverARangeNeedsEveryKey() throws {
        let fixture = try StoreFixture()
        try fixture.put("a/1", "x")
        try fixture.put("a/2", "x")
        let allEqual = Txn.compare("a/", .value, .equal, .value(Data("x".utf8)), end: "a0")
        #expect(try fixture.applier.txn(Txn.request([allEqual])).succeeded)
        try fixture.put("a/3", "y")
        #expect(try !fixture.applier.txn(Txn.request([allEqual])).succeeded)
    }

    @Test func aTxnIsOneRevisionAndReadsItsOwnWrites() throws {
        let fixture = try StoreFixture()
        try fixture.put("gone", "1")
        let request = Txn.request(success: [
            Txn.put("a", "1"), Txn.range("a"), Txn.put("b", "2"), Txn.delete("gone", prevKV: true), Txn.range("a", "z"),
        ])
        let response = try fixture.applier.txn(request)
        #expect(response.succeeded)
        #expect(response.header.revision == 3)
        #expect(fixture.store.currentRevision == 3)
        #expect(response.responses[0].responsePut.header.revision == 3)
        #expect(response.responses[1].responseRange.kvs.first?.value.text == "1")
        #expect(response.responses[1].responseRange.kvs.first?.modRevision == 3)
        #expect(response.responses[3].responseDeleteRange.deleted == 1)
        #expect(response.responses[3].responseDeleteRange.prevKvs.first?.value.text == "1")
        #expect(response.responses[4].responseRange.kvs.map(\.key.text) == ["a", "b"])
        let gone = try fixture.get("gone", revision: 2)
        #expect(gone.kvs.first?.value.text == "1")
    }

    @Test func aTxnThatChangesNothingKeepsTheRevision() throws {
        let fixture = try StoreFixture()
        try fixture.put("a", "1")
        let response = try fixture.applier.txn(Txn.request(success: [Txn.delete("missing"), Txn.range("a")]))
        #expect(response.header.revision == 2)
        #expect(fixture.store.currentRevision == 2)
        #expect(response.responses[0].responseDeleteRange.header.revision == 2)
    }

    @Test func nestedTxnsComparesSeeTheStateBeforeTheTxn() throws {
        let fixture = try StoreFixture()
        let inner = Txn.request([Txn.compare("x", .version, .equal, .version(0))], success: [Txn.put("inner", "then")], failure: [Txn.put("inner", "else")])
        let outer = Txn.request(success: [Txn.put("x", "1"), Txn.nested(inner)])
        let response = try fixture.applier.txn(outer)
        #expect(response.responses[1].responseTxn.succeeded, "x did not exist before the txn")
        #expect(try fixture.snapshot() == ["x": "1", "inner": "then"])
        #expect(fixture.store.currentRevision == 2)
    }

    @Test func duplicateKeysAreRejectedAsEtcdChecksThem() throws {
        let fixture = try StoreFixture()
        let rejected: [Etcdserverpb_TxnRequest] = [
            Txn.request(success: [Txn.put("a"), Txn.put("a")]),
            Txn.request(failure: [Txn.put("a"), Txn.put("a")]),
            Txn.request(success: [Txn.delete("a", "c"), Txn.put("b")]),
            Txn.request(success: [Txn.put("b"), Txn.delete("b")]),
            Txn.request(success: [Txn.put("a"), Txn.nested(Txn.request(success: [Txn.put("a")]))]),
            Txn.request(success: [Txn.nested(Txn.request(success: [Txn.put("a")])), Txn.nested(Txn.request(failure: [Txn.put("a")]))]),
            Txn.request(success: [Txn.delete("a", "z"), Txn.nested(Txn.request(failure: [Txn.put("m")]))]),
            Txn.request(success: [Txn.nested(Txn.request(success: [Txn.delete("k")])), Txn.put("k")]),
        ]
        for request in rejected {
            expectKVError(.duplicateKey) { try fixture.applier.txn(request) }
            expectKVError(.duplicateKey) { try KVRequestValidation.check(request) }
        }
        let accepted: [Etcdserverpb_TxnRequest] = [
            Txn.request(success: [Txn.put("a")], failure: [Txn.put("a")]),
            Txn.request(success: [Txn.nested(Txn.request(success: [Txn.put("a")], failure: [Txn.put("a")]))]),
            Txn.request(success: [Txn.delete("a"), Txn.delete("a", "c")]),
            Txn.request(success: [Txn.delete("a", "\0"), Txn.put("b")]),
        ]
        for request in accepted {
            #expect(throws: Never.self) { try KVRequestValidation.check(request) }
        }
        #expect(KVError.duplicateKey.grpcMessage == "etcdserver: duplicate key given in txn request")
        #expect(KVError.duplicateKey.grpcCode == .invalidArgument)
    }

    @Test func invalidTxnsAreRejectedInEtcdsOrder() throws {
        let fixture = try StoreFixture()
        let tooMany = Txn.request(success: (0..<129).map { Txn.put("k\($0)") })
        expectKVError(.tooManyOperations) { try KVRequestValidation.check(tooMany) }
        #expect(throws: Never.self) { try KVRequestValidation.check(Txn.request(success: (0..<128).map { Txn.put("k\($0)") })) }
        #expect(KVRequestValidation.operationCount(tooMany) == 129)
        let nestedTooMany = Txn.request(success: [Txn.nested(Txn.request(success: (0..<100).map { Txn.put("n\($0)") }))] + (0..<40).map { Txn.put("k\($0)") })
        expectKVError(.tooManyOperations) { try KVRequestValidation.check(nestedTooMany) }

        expectKVError(.emptyKey) { try fixture.applier.txn(Txn.request([Txn.compare("", .version, .equal, .version(0))])) }
        expectKVError(.emptyKey) { try fixture.applier.txn(Txn.request(success: [Txn.put("")])) }
        expectKVError(.keyNotFound) { try fixture.applier.txn(Txn.request(failure: [Etcdserverpb_RequestOp()])) }
        expectKVError(.emptyKey) { try fixture.applier.txn(Txn.request(success: [Txn.put(""), Txn.put("a"), Txn.put("a")])) }
        #expect(KVError.tooManyOperations.grpcMessage == "etcdserver: too many operations in txn request")
    }

    @Test func rejectedTxnsChangeNothing() throws {
        let fixture = try StoreFixture()
        try fixture.put("k", "1")
        try fixture.put("j", "1")
        _ = try fixture.store.compact(2)
        let before = (fixture.store.currentRevision, try fixture.snapshot(), try fixture.store.hashKV().hash)
        let requests: [(KVError, Etcdserverpb_TxnRequest)] = [
            (.keyNotFound, Txn.request(success: [Txn.put("a"), Txn.put("missing", "") { $0.ignoreValue = true }])),
            (.leaseNotFound, Txn.request(success: [Txn.put("a"), Txn.put("b") { $0.lease = 42 }])),
            (.futureRevision, Txn.request(success: [Txn.put("a"), Txn.range("k", revision: 4)])),
            (.compacted, Txn.request(success: [Txn.delete("k"), Txn.range("k", revision: 1)])),
            (.leaseNotFound, Txn.request(success: [Txn.nested(Txn.request(success: [Txn.put("n") { $0.lease = 9 }]))])),
        ]
        for (error, request) in requests {
            expectKVError(error) { try fixture.applier.txn(request) }
        }
        let after = (fixture.store.currentRevision, try fixture.snapshot(), try fixture.store.hashKV().hash)
        #expect(before == after)
        let failureBranchOK = Txn.request([Txn.compare("k", .version, .equal, .version(1))], success: [Txn.put("a")], failure: [Txn.put("b") { $0.lease = 42 }])
        #expect(try fixture.applier.txn(failureBranchOK).succeeded, "only the chosen branch is checked")
    }
}
