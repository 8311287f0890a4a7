import Foundation
import Operations
import Testing

/// How the hourly, daily and weekly rules count calendar periods back from now.
@Suite struct RetentionCalendarTests {
    /// Wednesday 2025-06-18 12:30 UTC; its ISO week began on Monday 2025-06-16.
    let now = UTCTestClock.date(2025, 6, 18, 12, 30)

    func backup(_ time: Date, verified: Bool = false) -> BackupRecord {
        BackupRecord(name: "b-" + UTCTestClock.text(time), time: time, verified: verified)
    }

    @Test func aYearOfHourlyBackups() {
        let newest = UTCTestClock.date(2025, 6, 18, 12)
        let backups = (0..<(365 * 24)).map { backup(newest.addingTimeInterval(-3600 * Double($0)), verified: true) }
        let policy = RetentionPolicy(keepHourly: 24, keepDaily: 7, keepWeekly: 4)
        let decision = policy.decide(backups, now: now)

        // Hourly: the 24 calendar hours 2025-06-17 13:00 to 2025-06-18 12:00.
        let hourly = (0..<24).map { "b-" + UTCTestClock.text(newest.addingTimeInterval(-3600 * Double($0))) }
        // Daily: June 12-18; the 17th's 23:00 and the 18th's 12:00 are already kept by the hourly rule.
        let daily = (12...16).map { "b-2025-06-\($0)T23:00:00Z" }
        // Weekly: the weeks starting May 26, June 2, June 9 and June 16; June 15 23:00 is already daily's.
        let weekly = ["b-2025-06-01T23:00:00Z", "b-2025-06-08T23:00:00Z"]
        #expect(decision.keep.count == 31)
        #expect(decision.keptNames == Set(hourly + daily + weekly))
        #expect(decision.delete.count == 365 * 24 - 31)
        #expect(decision.keep.first?.name == "b-2025-06-01T23:00:00Z")
        #expect(decision.keep.last?.name == "b-2025-06-18T12:00:00Z")
        #expect(!decision.keptNames.contains("b-2025-05-25T23:00:00Z"))
    }

    @Test func periodsWithoutBackupsStillCount() {
        let backups = [
            backup(UTCTestClock.date(2025, 6, 10)),
            backup(UTCTestClock.date(2025, 6, 16, 5)),
            backup(UTCTestClock.date(2025, 6, 16, 7)),
            backup(UTCTestClock.date(2025, 6, 18, 1)),
        ]
        // The last 3 days are June 16-18; June 17 has no backup, and June 10 is not taken in its place.
        let decision = RetentionPolicy(keepDaily: 3).decide(backups, now: now)
        #expect(decision.keptNames == ["b-2025-06-16T07:00:00Z", "b-2025-06-18T01:00:00Z"])
    }

    @Test func theCurrentHourIsTheFirstOfTheCount() {
        let backups = [
            backup(UTCTestClock.date(2025, 6, 18, 10, 59, 59)),
            backup(UTCTestClock.date(2025, 6, 18, 11)),
            backup(UTCTestClock.date(2025, 6, 18, 11, 30)),
            backup(UTCTestClock.date(2025, 6, 18, 12, 5)),
        ]
        // Two hours at 12:30 are 11:00-11:59 and 12:00-12:59.
        let decision = RetentionPolicy(keepHourly: 2).decide(backups, now: now)
        #expect(decision.keptNames == ["b-2025-06-18T11:30:00Z", "b-2025-06-18T12:05:00Z"])
    }

    @Test func weeksStartOnMonday() {
        let sunday = UTCTestClock.date(2025, 6, 15, 20)
        let backups = [
            backup(UTCTestClock.date(2025, 6, 1, 23, 59)),
            backup(UTCTestClock.date(2025, 6, 8, 23, 59)),
            backup(UTCTestClock.date(2025, 6, 9)),
            backup(UTCTestClock.date(2025, 6, 15, 9)),
        ]
        var sundayFirst = RetentionPolicy.utcCalendar
        sundayFirst.firstWeekday = 1
        for calendar in [RetentionPolicy.utcCalendar, sundayFirst] {
            let oneWeek = RetentionPolicy(keepWeekly: 1).decide(backups, now: sunday, calendar: calendar)
            #expect(oneWeek.keptNames == ["b-2025-06-15T09:00:00Z"])
            let twoWeeks = RetentionPolicy(keepWeekly: 2).decide(backups, now: sunday, calendar: calendar)
            #expect(twoWeeks.keptNames == ["b-2025-06-08T23:59:00Z", "b-2025-06-15T09:00:00Z"])
        }
    }

    @Test func daysAreCountedInTheGivenCalendar() throws {
        let backups = [
            backup(UTCTestClock.date(2025, 6, 17, 13, 30)),
            backup(UTCTestClock.date(2025, 6, 17, 15)),
            backup(UTCTestClock.date(2025, 6, 18, 1)),
        ]
        let policy = RetentionPolicy(keepDaily: 2)
        #expect(policy.decide(backups, now: now).keptNames == ["b-2025-06-17T15:00:00Z", "b-2025-06-18T01:00:00Z"])
        var brisbane = RetentionPolicy.utcCalendar
        brisbane.timeZone = try #require(TimeZone(secondsFromGMT: 10 * 3600))
        // At UTC+10, 2025-06-17 15:00 UTC is already June 18, and 13:30 UTC is the last of June 17.
        let decision = policy.decide(backups, now: now, calendar: brisbane)
        #expect(decision.keptNames == ["b-2025-06-17T13:30:00Z", "b-2025-06-18T01:00:00Z"])
    }

    @Test func rulesUniteAndAnOldVerifiedBackupIsKept() {
        let verified = backup(UTCTestClock.date(2025, 1, 1), verified: true)
        let recent = (0..<48).map { backup(UTCTestClock.date(2025, 6, 18, 12).addingTimeInterval(-1800 * Double($0))) }
        let decision = RetentionPolicy(keepLast: 5, keepHourly: 3).decide(recent + [verified], now: now)
        #expect(decision.keptNames == [
            "b-2025-01-01T00:00:00Z",
            "b-2025-06-18T10:00:00Z", "b-2025-06-18T10:30:00Z", "b-2025-06-18T11:00:00Z",
            "b-2025-06-18T11:30:00Z", "b-2025-06-18T12:00:00Z",
        ])
    }
}
