import EtcdServer
import Testing

/// The auto-compaction policy driven by a test clock, checked against etcd's compactor behaviour.
struct AutoCompactionScheduleTests {
    private let start = ContinuousClock.now

    @Test func disabledHasNoSchedule() {
        #expect(AutoCompactionSchedule(.disabled, now: self.start, revision: 1) == nil)
    }

    @Test func periodicCompactsAtTheRevisionOneRetentionOldAndThenEveryTenth() throws {
        var schedule = try #require(AutoCompactionSchedule(.periodic(.seconds(10)), now: self.start, revision: 100))
        #expect(schedule.interval == .seconds(1))
        var compactions: [(second: Int, revision: Int64)] = []
        for second in 1...25 {
            let now = self.start + .seconds(second)
            // The store gains ten revisions a second.
            if let revision = schedule.poll(now: now, revision: 100 + Int64(second) * 10, leading: true) {
                compactions.append((second, revision))
                schedule.compacted(at: revision, now: now, succeeded: true)
            }
        }
        #expect(compactions.map(\.second) == [10, 20])
        #expect(compactions.map(\.revision) == [100, 190], "the revision seen one retention (10 s) earlier")
    }

    @Test func periodicWithALongRetentionPollsAtMostEverySixMinutes() throws {
        let schedule = try #require(AutoCompactionSchedule(.periodic(.seconds(24 * 3_600)), now: self.start, revision: 1))
        #expect(schedule.interval == .seconds(360))
    }

    @Test func aFollowerRemembersRevisionsButNeverCompacts() throws {
        var schedule = try #require(AutoCompactionSchedule(.periodic(.seconds(5)), now: self.start, revision: 1))
        for second in 1...20 {
            #expect(schedule.poll(now: self.start + .milliseconds(500 * second), revision: Int64(second), leading: false) == nil)
        }
        let revision = schedule.poll(now: self.start + .seconds(11), revision: 21, leading: true)
        #expect(revision == 10, "the revision remembered 5 s before, although this member only now leads")
    }

    @Test func aFailedPeriodicCompactionIsRetriedAtTheNextPoll() throws {
        var schedule = try #require(AutoCompactionSchedule(.periodic(.seconds(10)), now: self.start, revision: 1))
        for second in 1...9 { _ = schedule.poll(now: self.start + .seconds(second), revision: Int64(second), leading: true) }
        let polled = schedule.poll(now: self.start + .seconds(10), revision: 10, leading: true)
        let first = try #require(polled)
        schedule.compacted(at: first, now: self.start + .seconds(10), succeeded: false)
        #expect(schedule.poll(now: self.start + .seconds(11), revision: 11, leading: true) != nil)
    }

    @Test func revisionModeKeepsTheRetainedRevisionsEveryFiveMinutes() throws {
        var schedule = try #require(AutoCompactionSchedule(.revision(1_000), now: self.start, revision: 1))
        #expect(schedule.interval == .seconds(300))
        #expect(schedule.poll(now: self.start + .seconds(300), revision: 900, leading: true) == nil, "nothing to compact yet")
        let revision = schedule.poll(now: self.start + .seconds(600), revision: 5_000, leading: true)
        #expect(revision == 4_000)
        schedule.compacted(at: 4_000, now: self.start + .seconds(600), succeeded: true)
        #expect(schedule.poll(now: self.start + .seconds(900), revision: 5_000, leading: true) == nil, "no writes since")
        #expect(schedule.poll(now: self.start + .seconds(1_200), revision: 5_500, leading: false) == nil, "followers never compact")
        #expect(schedule.poll(now: self.start + .seconds(1_500), revision: 5_500, leading: true) == 4_500)
    }
}
