import Lease
import Testing

/// The lessor's clocks as etcd's lessor keeps them, driven by a time the test chooses.
@Suite struct LessorTests {
    let start = ContinuousClock.now

    @Test func onlyThePrimaryExpiresAndRenews() {
        let lessor = Lessor()
        lessor.granted(id: 1, ttlSeconds: 10, now: self.start)
        #expect(lessor.renew(id: 1, now: self.start) == .notPrimary, "a follower's lessor does not renew")
        #expect(lessor.expired(now: self.start + .seconds(60), limit: 10).isEmpty)
        lessor.promote(extend: .seconds(1), now: self.start)
        #expect(lessor.expired(now: self.start + .seconds(10), limit: 10).isEmpty, "restarted with the election timeout added")
        #expect(lessor.expired(now: self.start + .seconds(11), limit: 10) == [1])
        #expect(lessor.renew(id: 1, now: self.start + .seconds(11)) == .notFound, "an expired lease awaits its revocation")
        #expect(lessor.renew(id: 2, now: self.start) == .notFound)
    }

    @Test func aNewLeaderRestartsFromTheCheckpointUnlessARenewalClearedIt() {
        let lessor = Lessor()
        lessor.granted(id: 1, ttlSeconds: 60, now: self.start)
        lessor.checkpointed(id: 1, remainingSeconds: 5)
        lessor.promote(extend: .zero, now: self.start)
        #expect(lessor.timeToLive(id: 1, now: self.start)?.remaining == 5)

        let clearing = Lessor.RenewOutcome.renewed(Lessor.Renewal(ttlSeconds: 60, clearsCheckpoint: true))
        #expect(lessor.renew(id: 1, now: self.start + .seconds(1)) == clearing, "the log must clear the checkpoint")
        #expect(lessor.renew(id: 1, now: self.start + .seconds(2)) == clearing, "asked again until the clearing applies")
        lessor.checkpointed(id: 1, remainingSeconds: 0)
        #expect(lessor.renew(id: 1, now: self.start + .seconds(2)) == .renewed(Lessor.Renewal(ttlSeconds: 60, clearsCheckpoint: false)))
        lessor.demote()
        lessor.promote(extend: .zero, now: self.start + .seconds(3))
        #expect(lessor.timeToLive(id: 1, now: self.start + .seconds(3))?.remaining == 60, "the full TTL again, not 5 s")
    }

    @Test func checkpointsCoverOnlyLeasesLongerThanTheInterval() {
        let lessor = Lessor()
        lessor.promote(extend: .zero, now: self.start)
        lessor.granted(id: 1, ttlSeconds: 600, now: self.start)
        lessor.granted(id: 2, ttlSeconds: 60, now: self.start)
        let checkpoints = lessor.checkpoints(now: self.start + .seconds(100), interval: .seconds(300))
        #expect(checkpoints.map(\.id) == [1] && checkpoints.first?.remainingSeconds == 500)
        lessor.demote()
        #expect(lessor.checkpoints(now: self.start, interval: .seconds(1)).isEmpty, "only the primary checkpoints")
    }

    @Test func restoringReplacesEveryLease() {
        let lessor = Lessor()
        lessor.granted(id: 1, ttlSeconds: 10, now: self.start)
        lessor.restore([(id: 2, ttlSeconds: 30, remainingSeconds: 12)], now: self.start)
        #expect(lessor.leaseIDs == [2], "a lease revoked in the snapshot's state is gone")
        #expect(lessor.timeToLive(id: 2, now: self.start)?.remaining == 12)
    }
}
