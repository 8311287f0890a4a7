/// A five-field cron expression (minute, hour, day-of-month, month, day-of-week) read as Vixie cron reads
/// it, always in UTC. gardener's etcd-backup-restore takes the same syntax for `--schedule`, whose default
/// `0 */1 * * *` means "at the start of every hour".
///
/// Each field is `*`, a number, a range `a-b`, a list `a,b,c`, or a step `*/n`, `a-b/n` or `a/n` (from `a`
/// to the field's maximum). Months take the names JAN-DEC and weekdays SUN-SAT, in any case; weekday 7 is
/// Sunday too. The macros `@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly` and `@yearly`
/// (`@annually`) stand for their usual five fields.
///
/// Days follow Vixie's rule: when both day-of-month and day-of-week are restricted, a day matches if
/// either matches; when one of them starts with `*` (including a stepped `*/n`), both must match. So
/// `0 0 1 * MON` fires on the 1st and on every Monday, while `0 0 */2 * MON` fires on Mondays with an odd date.
///
/// Two schedules are equal when each field matches the same values and the day fields combine the same way.
public struct CronSchedule: Sendable, Hashable {
    /// Bit `m` set when minute `m` (0-59) matches.
    let minutes: UInt64
    /// Bit `h` set when hour `h` (0-23) matches.
    let hours: UInt64
    /// Bit `d` set when day of the month `d` (1-31) matches.
    let daysOfMonth: UInt64
    /// Bit `m` set when month `m` (1-12) matches.
    let months: UInt64
    /// Bit `w` set when weekday `w` (0 Sunday to 6 Saturday) matches.
    let daysOfWeek: UInt64
    /// Whether a day must match both day fields (one of them starts with `*`) or either one.
    let daysMatchBoth: Bool

    /// Reads a cron expression or macro; spaces and tabs separate the fields.
    ///
    /// Throws `CronError` naming the field and the token when the text has other than five fields, an
    /// unknown macro, a value out of range, a backwards range, or a step that is zero or the field's span
    /// or longer.
    public init(parsing text: String) throws(CronError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let fields: [Substring]
        if words.count == 1, let macro = words.first, macro.hasPrefix("@") {
            guard let expansion = Self.macros[macro.lowercased()] else {
                throw CronError(schedule: text, reason: .unknownMacro(String(macro)))
            }
            fields = expansion.split(separator: " ")
        } else {
            fields = words
        }
        do throws(CronError.Reason) {
            guard fields.count == 5 else { throw .fieldCount(found: fields.count) }
            minutes = try CronField.minute.parse(fields[0])
            hours = try CronField.hour.parse(fields[1])
            daysOfMonth = try CronField.dayOfMonth.parse(fields[2])
            months = try CronField.month.parse(fields[3])
            daysOfWeek = try CronField.dayOfWeek.parse(fields[4])
            daysMatchBoth = fields[2].hasPrefix("*") || fields[4].hasPrefix("*")
        } catch {
            throw CronError(schedule: text, reason: error)
        }
    }

    private static let macros: [String: String] = [
        "@hourly": "0 * * * *",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *",
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
    ]
}
