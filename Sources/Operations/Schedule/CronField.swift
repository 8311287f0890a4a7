/// One of the five fields of a cron expression, with the values it accepts and the names it knows.
enum CronField: Sendable, CaseIterable {
    case minute
    case hour
    case dayOfMonth
    case month
    case dayOfWeek

    /// The name used in error messages.
    var name: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        }
    }

    /// The numbers that may be written. Day-of-week also takes 7, another way to write Sunday.
    var accepted: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The values `*` stands for, and where `a/n` stops.
    var full: ClosedRange<Int> {
        switch self {
        case .dayOfWeek: 0...6
        default: accepted
        }
    }

    /// The steps allowed: a step as long as the field's span or longer would only ever match the start.
    var steps: ClosedRange<Int> { 1...(full.upperBound - full.lowerBound) }

    /// Three-letter names, each with its number, for the fields that have them.
    var names: [String: Int] {
        switch self {
        case .month: Self.monthNames
        case .dayOfWeek: Self.weekdayNames
        default: [:]
        }
    }

    /// What a valid token looks like, for the "is not a number" message.
    var tokenHint: String {
        switch self {
        case .month: "a number or a month name (JAN-DEC)"
        case .dayOfWeek: "a number or a weekday name (SUN-SAT)"
        default: "a number"
        }
    }

    private static let monthNames: [String: Int] = [
        "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
        "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
    ]

    private static let weekdayNames: [String: Int] = [
        "SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6,
    ]
}
