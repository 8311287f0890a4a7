import Foundation

extension RetentionPolicy {
    /// Splits `backups` into those to keep and those to delete, as of `now`.
    ///
    /// - `keepLast` N keeps the N newest backups.
    /// - `keepHourly` N looks at the last N calendar hours counting back from the hour holding `now`, that
    ///   hour included, and keeps the newest backup in each of them that has one. The N hours are calendar
    ///   hours whether or not they hold a backup: an hour without a backup uses up one of the N, and no older
    ///   hour is taken in its place (restic's and borg's `--keep-hourly` count only periods that hold a
    ///   backup, and would reach further back). `keepDaily` does the same with calendar days and
    ///   `keepWeekly` with ISO weeks, which start on Monday. With N = 2 at 10:30, hourly looks at 09:00-10:59.
    /// - A backup kept by any rule is kept. The newest verified backup is always kept.
    /// - Backups dated after `now` are kept and take no part in any rule: they neither use up `keepLast`
    ///   nor count as the newest of a period or as the newest verified backup.
    /// - With no rule set, every backup is kept.
    ///
    /// "Newest" orders by time, then by name: of backups taken at the same instant, the greater name is the
    /// newer. Periods are counted in `calendar`, by default the Gregorian calendar in UTC.
    public func decide(
        _ backups: [BackupRecord],
        now: Date,
        calendar: Calendar = RetentionPolicy.utcCalendar
    ) -> RetentionDecision {
        let ordered = backups.sorted(by: BackupRecord.isOlder)
        guard hasRules else { return RetentionDecision(keep: ordered, delete: []) }
        let past = ordered.filter { $0.time <= now }
        var kept = Set(ordered.filter { $0.time > now })
        kept.formUnion(past.suffix(keepLast ?? 0))
        let periodRules: [(Int?, RetentionPeriod)] = [(keepHourly, .hour), (keepDaily, .day), (keepWeekly, .isoWeek)]
        for case (let count?, let period) in periodRules where count > 0 {
            kept.formUnion(Self.newestPerPeriod(past, last: count, of: period, now: now, calendar: calendar))
        }
        if let newestVerified = past.last(where: \.verified) {
            kept.insert(newestVerified)
        }
        return RetentionDecision(keep: ordered.filter(kept.contains), delete: ordered.filter { !kept.contains($0) })
    }

    /// The newest backup of each of the last `count` periods up to `now`; `past` is oldest first and holds
    /// no backup after `now`.
    private static func newestPerPeriod(
        _ past: [BackupRecord],
        last count: Int,
        of period: RetentionPeriod,
        now: Date,
        calendar: Calendar
    ) -> [BackupRecord] {
        let oldestStart = period.startOfLast(count, endingAt: now, in: calendar)
        var newestByPeriodStart: [Date: BackupRecord] = [:]
        for backup in past.reversed() {
            guard backup.time >= oldestStart else { break }
            let periodStart = period.start(of: backup.time, in: calendar)
            if newestByPeriodStart[periodStart] == nil {
                newestByPeriodStart[periodStart] = backup
            }
        }
        return Array(newestByPeriodStart.values)
    }
}
