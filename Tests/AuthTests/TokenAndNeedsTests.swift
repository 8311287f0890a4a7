import Auth
import EtcdProto
import Foundation
import Testing

/// Simple tokens (shape, sliding TTL, revocation) and what each request needs on the key space.
@Suite struct TokenAndNeedsTests {
    @Test func simpleTokensSlideExpireAndGoWithTheirUser() {
        let prefix = SimpleTokens.makePrefix()
        #expect(prefix.count == 16 && prefix.allSatisfy(\.isLetter))
        let token = SimpleTokens.token(prefix: prefix, index: 163)
        #expect(SimpleTokens.index(of: token) == 163)
        #expect(SimpleTokens.index(of: "abc") == nil && SimpleTokens.index(of: "a.b.1") == nil && SimpleTokens.index(of: ".5") == nil)

        let start = ContinuousClock.now
        var tokens = SimpleTokens(ttl: .seconds(3))
        tokens.assign(token, to: "alice", now: start)
        tokens.assign("other.9", to: "bob", now: start)
        #expect(tokens.user(for: token, now: start + .seconds(2)) == "alice")
        #expect(tokens.user(for: token, now: start + .seconds(4)) == "alice", "each use restarts the TTL")
        #expect(tokens.user(for: token, now: start + .seconds(8)) == nil, "unused for the TTL, it is gone")
        tokens.expire(now: start + .seconds(8))
        #expect(tokens.count == 0)

        tokens.assign(token, to: "alice", now: start)
        tokens.assign("other.9", to: "bob", now: start)
        tokens.revoke(user: "alice")
        #expect(tokens.user(for: token, now: start) == nil && tokens.user(for: "other.9", now: start) == "bob")
        tokens.revokeAll()
        #expect(tokens.count == 0)
        #expect(SimpleTokens(ttl: .zero).ttl == SimpleTokens.defaultTTL)
    }

    static let needs = RequestPermissions { lease in lease == 7 ? [Array("leased".utf8)] : [] }

    static func bytes(_ text: String) -> Data { Data(text.utf8) }

    @Test func putsDeletesAndLeasesNeedWhatEtcdChecks() {
        var put = Etcdserverpb_PutRequest()
        put.key = Self.bytes("k")
        put.prevKv = true
        put.lease = 7
        #expect(Self.needs.put(put) == [
            PermissionNeed(.write, key: Array("k".utf8)), PermissionNeed(.read, key: Array("k".utf8)),
            PermissionNeed(.write, key: Array("leased".utf8)),
        ])
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Self.bytes("a")
        delete.rangeEnd = Self.bytes("b")
        #expect(Self.needs.deleteRange(delete) == [PermissionNeed(.write, key: Array("a".utf8), rangeEnd: Array("b".utf8))])
        var revoke = Etcdserverpb_LeaseRevokeRequest()
        revoke.id = 7
        #expect(Self.needs.leaseRevoke(revoke) == [PermissionNeed(.write, key: Array("leased".utf8))])
        revoke.id = 8
        #expect(Self.needs.leaseRevoke(revoke).isEmpty)
    }

    @Test func aTransactionNeedsBothBranchesAndItsNestedTransactions() throws {
        var compare = Etcdserverpb_Compare()
        compare.key = Self.bytes("c")
        var range = Etcdserverpb_RequestOp()
        range.requestRange.key = Self.bytes("r")
        var nestedPut = Etcdserverpb_RequestOp()
        nestedPut.requestPut.key = Self.bytes("secret")
        var nested = Etcdserverpb_RequestOp()
        nested.requestTxn.success = [nestedPut]
        var txn = Etcdserverpb_TxnRequest()
        txn.compare = [compare]
        txn.success = [range]
        txn.failure = [nested]
        #expect(Self.needs.txn(txn) == [
            PermissionNeed(.read, key: Array("c".utf8)), PermissionNeed(.read, key: Array("r".utf8)),
            PermissionNeed(.write, key: Array("secret".utf8)),
        ])

        var store = try PermissionCheckTests.enabledStore(granting: [
            Permission(.read, key: Array("c".utf8)), Permission(.read, key: Array("r".utf8)),
        ])
        let identity = AuthIdentity(user: "u", revision: store.revision)
        #expect(throws: EtcdError.permissionDenied) { try store.check(Self.needs.txn(txn), as: identity) }
        txn.failure = []
        try store.check(Self.needs.txn(txn), as: identity)
        _ = store.disable()
        try store.check([PermissionNeed(.write, key: Array("x".utf8))], as: nil)
    }
}
