/// A day of the proleptic Gregorian calendar in UTC, converted to and from days since 1970-01-01 with plain
/// integer arithmetic, so the cron search needs no `Calendar`.
struct UTCCivilDate: Sendable, Hashable {
    var year: Int
    /// 1-12.
    var month: Int
    /// 1-31.
    var day: Int

    /// The date `daysSinceEpoch` days after 1970-01-01 (negative for earlier days).
    init(daysSinceEpoch: Int) {
        var year = 1970 + Self.floorDivide(daysSinceEpoch * 400, 146_097)
        while Self.daysSinceEpoch(year: year, month: 1, day: 1) > daysSinceEpoch { year -= 1 }
        while Self.daysSinceEpoch(year: year + 1, month: 1, day: 1) <= daysSinceEpoch { year += 1 }
        var dayOfYear = daysSinceEpoch - Self.daysSinceEpoch(year: year, month: 1, day: 1)
        var month = 1
        while dayOfYear >= Self.daysIn(year: year, month: month) {
            dayOfYear -= Self.daysIn(year: year, month: month)
            month += 1
        }
        self.init(year: year, month: month, day: dayOfYear + 1)
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days from 1970-01-01 to this date.
    var daysSinceEpoch: Int { Self.daysSinceEpoch(year: year, month: month, day: day) }

    /// Days from 1970-01-01 to the given date; the month must be 1-12.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let leapDaysBefore = { (year: Int) in
            floorDivide(year - 1, 4) - floorDivide(year - 1, 100) + floorDivide(year - 1, 400)
        }
        let daysBeforeYear = 365 * (year - 1970) + leapDaysBefore(year) - leapDaysBefore(1970)
        let daysBeforeMonth = (1..<month).reduce(0) { $0 + daysIn(year: year, month: $1) }
        return daysBeforeYear + daysBeforeMonth + day - 1
    }

    /// The number of days in the month (28-31).
    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The weekday of a day counted from 1970-01-01, a Thursday: 0 Sunday to 6 Saturday.
    static func weekday(daysSinceEpoch: Int) -> Int {
        ((daysSinceEpoch + 4) % 7 + 7) % 7
    }

    /// Division rounding toward negative infinity, for dates before 1970.
    static func floorDivide(_ dividend: Int, _ divisor: Int) -> Int {
        let quotient = dividend / divisor
        return dividend % divisor < 0 ? quotient - 1 : quotient
    }
}
