import Foundation
import Operations
import Testing

/// The rules one at a time, and the guarantees that hold whatever the rules say.
@Suite struct RetentionPolicyTests {
    let now = UTCTestClock.date(2025, 6, 18, 12, 30)

    /// A backup named after its time, so expectations read as times.
    func backup(_ time: Date, verified: Bool = false) -> BackupRecord {
        BackupRecord(name: "b-" + UTCTestClock.text(time), time: time, verified: verified)
    }

    /// `count` backups one hour apart, the newest at `newest`.
    func hourly(_ count: Int, newest: Date, verified: Bool = false) -> [BackupRecord] {
        (0..<count).map { backup(newest.addingTimeInterval(-3600 * Double($0)), verified: verified) }
    }

    @Test func keepLastAloneKeepsTheNewest() {
        let backups = hourly(10, newest: UTCTestClock.date(2025, 6, 18, 12))
        let decision = RetentionPolicy(keepLast: 3).decide(backups.shuffled(), now: now)
        #expect(decision.keep.map(\.name) == [
            "b-2025-06-18T10:00:00Z", "b-2025-06-18T11:00:00Z", "b-2025-06-18T12:00:00Z",
        ])
        #expect(decision.delete.count == 7)
        #expect(decision.delete.map(\.time) == decision.delete.map(\.time).sorted())
    }

    @Test func keepLastZeroIsASetRuleThatKeepsNothing() {
        let backups = hourly(5, newest: UTCTestClock.date(2025, 6, 18, 12))
        let decision = RetentionPolicy(keepLast: 0).decide(backups, now: now)
        #expect(decision.keep.isEmpty)
        #expect(decision.delete.count == 5)
    }

    @Test func newestVerifiedSurvivesWhenTheRulesWouldDropIt() {
        let old = backup(UTCTestClock.date(2025, 6, 18, 8), verified: true)
        let newerVerified = backup(UTCTestClock.date(2025, 6, 18, 9), verified: true)
        let unverified = hourly(3, newest: UTCTestClock.date(2025, 6, 18, 12))
        let decision = RetentionPolicy(keepLast: 2).decide([old, newerVerified] + unverified, now: now)
        #expect(decision.keep.map(\.name) == [
            "b-2025-06-18T09:00:00Z", "b-2025-06-18T11:00:00Z", "b-2025-06-18T12:00:00Z",
        ])
        #expect(decision.delete.map(\.name) == ["b-2025-06-18T08:00:00Z", "b-2025-06-18T10:00:00Z"])
    }

    @Test func noRulesKeepsEverything() {
        let backups = hourly(50, newest: UTCTestClock.date(2025, 6, 20)) + [backup(UTCTestClock.date(2019, 1, 1))]
        let decision = RetentionPolicy().decide(backups, now: now)
        #expect(!RetentionPolicy().hasRules)
        #expect(decision.keep.count == 51)
        #expect(decision.keep.first?.name == "b-2019-01-01T00:00:00Z")
        #expect(decision.delete.isEmpty)
    }

    @Test func emptyInputDecidesNothing() {
        let policies = [RetentionPolicy(), RetentionPolicy(keepLast: 3, keepHourly: 24, keepDaily: 7, keepWeekly: 4)]
        for policy in policies {
            #expect(policy.decide([], now: now) == RetentionDecision(keep: [], delete: []))
        }
    }

    @Test func equalTimesAreOrderedByName() {
        let time = UTCTestClock.date(2025, 6, 18, 12)
        let a = BackupRecord(name: "a", time: time, verified: true)
        let b = BackupRecord(name: "b", time: time, verified: true)
        let c = BackupRecord(name: "c", time: time, verified: false)
        let byLast = RetentionPolicy(keepLast: 1).decide([c, a, b], now: now)
        #expect(byLast.keep.map(\.name) == ["b", "c"])
        #expect(byLast.delete.map(\.name) == ["a"])
        let byHour = RetentionPolicy(keepHourly: 1).decide([b, c, a], now: now)
        #expect(byHour.keep.map(\.name) == ["b", "c"])
    }

    @Test func futureBackupsAreKeptAndNotCounted() {
        let inThisHour = backup(UTCTestClock.date(2025, 6, 18, 12, 45), verified: true)
        let tomorrow = backup(UTCTestClock.date(2025, 6, 19, 3))
        let past = [
            backup(UTCTestClock.date(2025, 6, 18, 10), verified: true),
            backup(UTCTestClock.date(2025, 6, 18, 12, 10)),
            backup(UTCTestClock.date(2025, 6, 18, 12, 20)),
        ]
        let byLast = RetentionPolicy(keepLast: 1).decide(past + [inThisHour, tomorrow], now: now)
        #expect(byLast.keptNames == [
            "b-2025-06-18T10:00:00Z", "b-2025-06-18T12:20:00Z", "b-2025-06-18T12:45:00Z", "b-2025-06-19T03:00:00Z",
        ])
        let byHour = RetentionPolicy(keepHourly: 1).decide(past + [inThisHour, tomorrow], now: now)
        #expect(byHour.keptNames == byLast.keptNames)
        #expect(byHour.delete.map(\.name) == ["b-2025-06-18T12:10:00Z"])
    }

    @Test func aBackupTakenAtNowCounts() {
        let atNow = backup(now)
        let earlier = backup(UTCTestClock.date(2025, 6, 18, 12))
        let decision = RetentionPolicy(keepLast: 1).decide([earlier, atNow], now: now)
        #expect(decision.keep == [atNow])
    }

    @Test func countsBelowZeroAreNotAPolicy() async {
        await #expect(processExitsWith: .failure) {
            _ = RetentionPolicy(keepDaily: -1)
        }
    }
}
