import Foundation

/// Which backups to keep: the newest few, plus the newest backup of each recent hour, day and week. It is
/// gardener etcd-backup-restore's exponential garbage collection combined with a count limit.
///
/// Each rule is optional; nil means the rule is not set. A backup kept by any rule survives, the newest
/// verified backup always survives, and a policy with no rule set keeps everything. See
/// `decide(_:now:calendar:)` for exactly how the calendar rules count.
public struct RetentionPolicy: Sendable, Hashable {
    /// Keep this many of the newest backups.
    public let keepLast: Int?
    /// Keep the newest backup of each of the last this-many calendar hours, the current one included.
    public let keepHourly: Int?
    /// Keep the newest backup of each of the last this-many calendar days, today included.
    public let keepDaily: Int?
    /// Keep the newest backup of each of the last this-many ISO weeks (Monday to Sunday), this one included.
    public let keepWeekly: Int?

    /// A policy with the given rules; leave a rule nil to not set it. No count may be negative (the
    /// command line refuses negative counts before it builds a policy).
    public init(keepLast: Int? = nil, keepHourly: Int? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil) {
        for count in [keepLast, keepHourly, keepDaily, keepWeekly] {
            precondition((count ?? 0) >= 0, "a retention count must not be negative")
        }
        self.keepLast = keepLast
        self.keepHourly = keepHourly
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
    }

    /// Whether any rule is set. A policy with none keeps every backup.
    public var hasRules: Bool {
        keepLast != nil || keepHourly != nil || keepDaily != nil || keepWeekly != nil
    }

    /// The Gregorian calendar in UTC, the calendar the retention rules count in unless told otherwise.
    public static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
