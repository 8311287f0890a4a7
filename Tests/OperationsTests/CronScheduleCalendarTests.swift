import Foundation
import Operations
import Testing

/// `next(after:)` does its own date arithmetic; these compare it with Foundation's Gregorian calendar over
/// dates spread across six centuries.
@Suite struct CronScheduleCalendarTests {
    let calendar = UTCTestClock.calendar

    /// About 3,000 instants from 1850 to 2450, at uneven minutes and seconds.
    var instants: [Date] {
        let first = UTCTestClock.date(1850, 1, 1).timeIntervalSince1970
        return stride(from: 0.0, to: 600 * 365.2425 * 86_400, by: 6_311_113.7).map {
            Date(timeIntervalSince1970: first + $0)
        }
    }

    @Test func everyMinuteIsTheNextWholeMinute() throws {
        let schedule = try CronSchedule(parsing: "* * * * *")
        for date in instants {
            let expected = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
            #expect(schedule.next(after: date) == expected, "\(UTCTestClock.text(date))")
        }
    }

    @Test func dailyMonthlyAndWeeklyAgreeWithFoundation() throws {
        let daily = try CronSchedule(parsing: "@daily")
        let monthly = try CronSchedule(parsing: "@monthly")
        let wednesdays = try CronSchedule(parsing: "0 0 * * WED")
        for date in instants {
            let startOfDay = calendar.startOfDay(for: date)
            #expect(daily.next(after: date) == calendar.date(byAdding: .day, value: 1, to: startOfDay))
            let startOfMonth = calendar.dateInterval(of: .month, for: date)?.start
            let nextMonth = startOfMonth.flatMap { calendar.date(byAdding: .month, value: 1, to: $0) }
            #expect(monthly.next(after: date) == nextMonth)
            let wednesday = DateComponents(hour: 0, minute: 0, second: 0, weekday: 4)
            let nextWednesday = calendar.nextDate(after: date, matching: wednesday, matchingPolicy: .strict)
            #expect(wednesdays.next(after: date) == nextWednesday)
        }
    }
}
