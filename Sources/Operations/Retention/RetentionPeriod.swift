import Foundation

/// The calendar periods the retention rules count in: hours, days, and ISO weeks starting on Monday.
enum RetentionPeriod: Sendable {
    case hour
    case day
    case isoWeek

    /// The start of the period that holds `date`.
    func start(of date: Date, in calendar: Calendar) -> Date {
        let (component, periodCalendar) = unit(in: calendar)
        guard let interval = periodCalendar.dateInterval(of: component, for: date) else {
            preconditionFailure("the Gregorian calendar has an \(component) around every date")
        }
        return interval.start
    }

    /// The start of the oldest of the `count` periods that end with the one holding `now`; `count` is at
    /// least 1.
    func startOfLast(_ count: Int, endingAt now: Date, in calendar: Calendar) -> Date {
        let (component, periodCalendar) = unit(in: calendar)
        let current = start(of: now, in: calendar)
        guard let oldest = periodCalendar.date(byAdding: component, value: -(count - 1), to: current) else {
            preconditionFailure("the Gregorian calendar can step back \(count - 1) of \(component) from \(current)")
        }
        return oldest
    }

    /// The calendar component of the period, and the calendar to count it in: weeks always start on Monday,
    /// whatever the caller's calendar says.
    private func unit(in calendar: Calendar) -> (Calendar.Component, Calendar) {
        switch self {
        case .hour:
            return (.hour, calendar)
        case .day:
            return (.day, calendar)
        case .isoWeek:
            var iso = calendar
            iso.firstWeekday = 2
            iso.minimumDaysInFirstWeek = 4
            return (.weekOfYear, iso)
        }
    }
}
