import Foundation

extension CronSchedule {
    /// The Gregorian calendar repeats itself, weekdays included, every 400 years (146,097 days, a whole
    /// number of weeks). A schedule that does not fire within that many months never fires.
    static let searchLimitMonths = 400 * 12 + 1

    /// The first minute strictly after `date` that the schedule matches, in UTC, with zero seconds; nil when
    /// the schedule can never fire (such as `0 0 30 2 *`).
    ///
    /// The search moves a month at a time, skips months that do not match, and within a month visits only
    /// the matching days, so its cost does not depend on how far away the next firing is.
    public func next(after date: Date) -> Date? {
        let firstMinute = Int((date.timeIntervalSince1970 / 60).rounded(.down)) + 1
        let firstDay = UTCCivilDate.floorDivide(firstMinute, Self.minutesPerDay)
        var civil = UTCCivilDate(daysSinceEpoch: firstDay)
        var fromMinute = firstMinute - firstDay * Self.minutesPerDay
        for _ in 0..<Self.searchLimitMonths {
            if months & (1 << civil.month) != 0, let found = firstMatch(inMonthOf: civil, fromMinute: fromMinute) {
                return Date(timeIntervalSince1970: Double(found * 60))
            }
            civil = civil.month == 12
                ? UTCCivilDate(year: civil.year + 1, month: 1, day: 1)
                : UTCCivilDate(year: civil.year, month: civil.month + 1, day: 1)
            fromMinute = 0
        }
        return nil
    }

    private static let minutesPerDay = 24 * 60

    /// The first matching minute (since 1970) in `start`'s month, on or after `fromMinute` of `start`'s day.
    private func firstMatch(inMonthOf start: UTCCivilDate, fromMinute: Int) -> Int? {
        var days = matchingDays(year: start.year, month: start.month) & ~((1 << UInt64(start.day)) - 1)
        var minuteOfDay = fromMinute
        while days != 0 {
            let day = days.trailingZeroBitCount
            if day != start.day { minuteOfDay = 0 }
            if let minute = firstMatchingMinute(from: minuteOfDay) {
                let daysSinceEpoch = UTCCivilDate.daysSinceEpoch(year: start.year, month: start.month, day: day)
                return daysSinceEpoch * Self.minutesPerDay + minute
            }
            days &= days - 1
        }
        return nil
    }

    /// The days of a month the day fields match, as a bit set (bit `d` for day `d`).
    private func matchingDays(year: Int, month: Int) -> UInt64 {
        let length = UTCCivilDate.daysIn(year: year, month: month)
        let firstDay = UTCCivilDate.daysSinceEpoch(year: year, month: month, day: 1)
        let firstWeekday = UTCCivilDate.weekday(daysSinceEpoch: firstDay)
        var byWeekday: UInt64 = 0
        for day in 1...length where daysOfWeek & (1 << ((firstWeekday + day - 1) % 7)) != 0 {
            byWeekday |= 1 << day
        }
        let byDate = daysOfMonth & ((1 << UInt64(length + 1)) - 1)
        return daysMatchBoth ? byDate & byWeekday : byDate | byWeekday
    }

    /// The first matching minute of a day at or after `minuteOfDay`, counted from midnight.
    private func firstMatchingMinute(from minuteOfDay: Int) -> Int? {
        let startHour = minuteOfDay / 60
        for hour in startHour..<24 where hours & (1 << hour) != 0 {
            let fromMinute = hour == startHour ? minuteOfDay % 60 : 0
            let candidates = minutes & (UInt64.max << fromMinute)
            if candidates != 0 { return hour * 60 + candidates.trailingZeroBitCount }
        }
        return nil
    }
}
