import Foundation
import Operations
import Testing

/// Each form of the syntax, seen through the minutes `next(after:)` finds.
@Suite struct CronScheduleNextTests {
    /// The first `count` firings of `text` after `start`, written as UTC times.
    func firings(_ text: String, after start: Date, count: Int = 4) throws -> [String] {
        let schedule = try CronSchedule(parsing: text)
        var times: [String] = []
        var date = start
        while times.count < count, let next = schedule.next(after: date) {
            times.append(UTCTestClock.text(next))
            date = next
        }
        return times
    }

    let wednesday = UTCTestClock.date(2025, 6, 18, 10)

    @Test func everyMinuteFromATimeWithSeconds() throws {
        let schedule = try CronSchedule(parsing: "* * * * *")
        let tenOhOne = UTCTestClock.date(2025, 6, 18, 10, 1)
        #expect(schedule.next(after: UTCTestClock.date(2025, 6, 18, 10, 0, 30)) == tenOhOne)
        #expect(schedule.next(after: wednesday) == tenOhOne)
        #expect(schedule.next(after: wednesday.addingTimeInterval(59.999)) == tenOhOne)
    }

    @Test func gardenersDefaultFiresOnTheHour() throws {
        #expect(try firings("0 */1 * * *", after: wednesday, count: 2) == [
            "2025-06-18T11:00:00Z", "2025-06-18T12:00:00Z",
        ])
        let justBefore = wednesday.addingTimeInterval(-1)
        #expect(try firings("0 */1 * * *", after: justBefore, count: 1) == ["2025-06-18T10:00:00Z"])
    }

    @Test func numbersRangesAndLists() throws {
        #expect(try firings("30 4 * * *", after: wednesday, count: 2) == [
            "2025-06-19T04:30:00Z", "2025-06-20T04:30:00Z",
        ])
        #expect(try firings("0 9-11 * * *", after: wednesday) == [
            "2025-06-18T11:00:00Z", "2025-06-19T09:00:00Z", "2025-06-19T10:00:00Z", "2025-06-19T11:00:00Z",
        ])
        #expect(try firings("55,5,10 * * * *", after: wednesday) == [
            "2025-06-18T10:05:00Z", "2025-06-18T10:10:00Z", "2025-06-18T10:55:00Z", "2025-06-18T11:05:00Z",
        ])
        #expect(try firings("0 1-2,22 * * *", after: wednesday, count: 3) == [
            "2025-06-18T22:00:00Z", "2025-06-19T01:00:00Z", "2025-06-19T02:00:00Z",
        ])
    }

    @Test func steps() throws {
        #expect(try firings("*/15 * * * *", after: wednesday, count: 4) == [
            "2025-06-18T10:15:00Z", "2025-06-18T10:30:00Z", "2025-06-18T10:45:00Z", "2025-06-18T11:00:00Z",
        ])
        #expect(try firings("10-30/10 * * * *", after: wednesday) == [
            "2025-06-18T10:10:00Z", "2025-06-18T10:20:00Z", "2025-06-18T10:30:00Z", "2025-06-18T11:10:00Z",
        ])
        #expect(try firings("50/5 * * * *", after: wednesday, count: 3) == [
            "2025-06-18T10:50:00Z", "2025-06-18T10:55:00Z", "2025-06-18T11:50:00Z",
        ])
    }

    @Test func stepsRestartInEachPeriod() throws {
        // Hours 0, 7, 14 and 21: the step does not carry over midnight to 04:00.
        #expect(try firings("0 */7 * * *", after: wednesday, count: 4) == [
            "2025-06-18T14:00:00Z", "2025-06-18T21:00:00Z", "2025-06-19T00:00:00Z", "2025-06-19T07:00:00Z",
        ])
        // Days 1, 11, 21 and 31; months without a 31st go from the 21st to the next 1st.
        #expect(try firings("0 0 */10 * *", after: UTCTestClock.date(2025, 6, 20), count: 4) == [
            "2025-06-21T00:00:00Z", "2025-07-01T00:00:00Z", "2025-07-11T00:00:00Z", "2025-07-21T00:00:00Z",
        ])
        #expect(try firings("0 0 */10 * *", after: UTCTestClock.date(2025, 7, 21), count: 2) == [
            "2025-07-31T00:00:00Z", "2025-08-01T00:00:00Z",
        ])
        #expect(try firings("*/59 * * * *", after: wednesday, count: 3) == [
            "2025-06-18T10:59:00Z", "2025-06-18T11:00:00Z", "2025-06-18T11:59:00Z",
        ])
        #expect(try CronSchedule(parsing: "*/1 * * * *") == CronSchedule(parsing: "* * * * *"))
        #expect(try CronSchedule(parsing: "0 0 * */1 *") == CronSchedule(parsing: "0 0 * 1-12 *"))
    }

    @Test func monthNames() throws {
        #expect(try firings("0 0 1 jan,Jul *", after: wednesday, count: 3) == [
            "2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z",
        ])
        #expect(try CronSchedule(parsing: "0 0 1 MAR-may/2 *") == CronSchedule(parsing: "0 0 1 3,5 *"))
    }

    @Test func weekdayNamesAndSevenIsSunday() throws {
        // 2025-06-20 is a Friday.
        #expect(try firings("0 0 * * mon-FRI", after: UTCTestClock.date(2025, 6, 19, 12), count: 3) == [
            "2025-06-20T00:00:00Z", "2025-06-23T00:00:00Z", "2025-06-24T00:00:00Z",
        ])
        #expect(try CronSchedule(parsing: "0 0 * * 7") == CronSchedule(parsing: "0 0 * * SUN"))
        #expect(try CronSchedule(parsing: "0 0 * * 0") == CronSchedule(parsing: "0 0 * * sun"))
        #expect(try firings("0 0 * * 5-7", after: wednesday, count: 4) == [
            "2025-06-20T00:00:00Z", "2025-06-21T00:00:00Z", "2025-06-22T00:00:00Z", "2025-06-27T00:00:00Z",
        ])
    }

    @Test func restrictedDayFieldsMatchEither() throws {
        // Fridays and the 13th: June 2025 has Friday the 13th, July 13th is a Sunday.
        #expect(try firings("0 0 13 * FRI", after: UTCTestClock.date(2025, 6, 1), count: 8) == [
            "2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z", "2025-06-27T00:00:00Z",
            "2025-07-04T00:00:00Z", "2025-07-11T00:00:00Z", "2025-07-13T00:00:00Z", "2025-07-18T00:00:00Z",
        ])
    }

    @Test func aStarredDayFieldMakesBothMatch() throws {
        // Mondays with an odd date: `*/2` starts with `*`, so both fields must match.
        #expect(try firings("0 0 */2 * MON", after: UTCTestClock.date(2025, 6, 1), count: 4) == [
            "2025-06-09T00:00:00Z", "2025-06-23T00:00:00Z", "2025-07-07T00:00:00Z", "2025-07-21T00:00:00Z",
        ])
        #expect(try firings("0 0 1 * *", after: UTCTestClock.date(2025, 6, 1), count: 2) == [
            "2025-07-01T00:00:00Z", "2025-08-01T00:00:00Z",
        ])
        #expect(try firings("0 0 * * MON", after: UTCTestClock.date(2025, 6, 1), count: 2) == [
            "2025-06-02T00:00:00Z", "2025-06-09T00:00:00Z",
        ])
    }

    @Test func monthEndsAndYearEnds() throws {
        #expect(try firings("0 0 31 * *", after: UTCTestClock.date(2025, 1, 31), count: 4) == [
            "2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z", "2025-08-31T00:00:00Z",
        ])
        #expect(try firings("0 0 1 1 *", after: UTCTestClock.date(2025, 12, 31, 23, 59, 59), count: 1) == [
            "2026-01-01T00:00:00Z",
        ])
        #expect(try firings("59 23 31 12 *", after: UTCTestClock.date(2025, 12, 31, 23, 59), count: 1) == [
            "2026-12-31T23:59:00Z",
        ])
    }

    @Test func leapYears() throws {
        #expect(try firings("0 0 29 2 *", after: UTCTestClock.date(2027, 3, 1), count: 2) == [
            "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z",
        ])
        // 2100 is not a leap year; 2000 was.
        #expect(try firings("0 0 29 2 *", after: UTCTestClock.date(2097, 1, 1), count: 1) == ["2104-02-29T00:00:00Z"])
        #expect(try firings("0 0 29 2 *", after: UTCTestClock.date(1997, 1, 1), count: 1) == ["2000-02-29T00:00:00Z"])
        // A Saturday or Sunday that is February 29th: the first after 2025 is Sunday 2032-02-29.
        #expect(try firings("0 0 29 2 */6", after: UTCTestClock.date(2025, 1, 1), count: 1) == ["2032-02-29T00:00:00Z"])
    }

    @Test func schedulesThatNeverFire() throws {
        for text in ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31 2 */6"] {
            let started = ContinuousClock.now
            #expect(try CronSchedule(parsing: text).next(after: wednesday) == nil)
            #expect(ContinuousClock.now - started < .seconds(1), "searching 400 years is a few thousand months")
        }
    }

    @Test func macros() throws {
        let expansions = [
            "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
            "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", " @DAILY\t": "0 0 * * *",
        ]
        for (macro, fields) in expansions {
            #expect(try CronSchedule(parsing: macro) == CronSchedule(parsing: fields), "\(macro)")
        }
        #expect(try firings("@weekly", after: wednesday, count: 1) == ["2025-06-22T00:00:00Z"])
        #expect(try firings("@monthly", after: wednesday, count: 1) == ["2025-07-01T00:00:00Z"])
        #expect(try firings("@hourly", after: wednesday, count: 1) == ["2025-06-18T11:00:00Z"])
    }

    @Test func fieldsMaySitBetweenAnySpacesAndTabs() throws {
        #expect(try CronSchedule(parsing: "  0\t*/2  * *   *  ") == CronSchedule(parsing: "0 */2 * * *"))
    }
}
