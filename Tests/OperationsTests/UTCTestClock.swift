import Foundation

/// Fixed instants in UTC for the retention and schedule tests, built from their parts so no test depends on
/// the machine's time zone or clock.
enum UTCTestClock {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()

    /// The instant at the given UTC date and time.
    static func date(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0
    ) -> Date {
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: parts) else { preconditionFailure("no such UTC date: \(parts)") }
        return date
    }

    /// `date` written as `2025-06-18T12:00:00Z`, so failing expectations read as times.
    static func text(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "??" }
        let day = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))"
        return "\(day)T\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))Z"
    }
}
