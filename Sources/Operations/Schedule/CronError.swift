/// Why a cron expression was refused. The message names the schedule, the field and the bad token, for
/// example `invalid cron schedule "61 * * * *": minute 61 is out of range 0-59`.
public struct CronError: Error, Sendable, CustomStringConvertible {
    /// The schedule text as it was given.
    public let schedule: String
    let reason: Reason

    init(schedule: String, reason: Reason) {
        self.schedule = schedule
        self.reason = reason
    }

    /// The whole message, ready to print.
    public var description: String {
        "invalid cron schedule \"\(schedule)\": \(reason.detail)"
    }

    /// What was wrong, without the schedule text.
    enum Reason: Error, Sendable {
        case fieldCount(found: Int)
        case unknownMacro(String)
        case emptyItem(CronField, list: Substring)
        case extraStep(CronField, item: Substring)
        case notANumber(CronField, token: Substring)
        case outOfRange(CronField, token: Substring)
        case malformedRange(CronField, range: Substring)
        case backwardsRange(CronField, range: Substring)
        case stepNotANumber(CronField, token: Substring)
        case stepOutOfRange(CronField, token: Substring)

        var detail: String {
            switch self {
            case .fieldCount(let found):
                "expected 5 fields (minute hour day-of-month month day-of-week), found \(found)"
            case .unknownMacro(let macro):
                "unknown macro \"\(macro)\"; "
                    + "expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually"
            case .emptyItem(let field, let list):
                "\(field.name) list \"\(list)\" has an empty item"
            case .extraStep(let field, let item):
                "\(field.name) item \"\(item)\" has more than one step"
            case .notANumber(let field, let token):
                "\(field.name) \"\(token)\" is not \(field.tokenHint)"
            case .outOfRange(let field, let token):
                "\(field.name) \(token) is out of range \(field.accepted.lowerBound)-\(field.accepted.upperBound)"
            case .malformedRange(let field, let range):
                "\(field.name) range \"\(range)\" needs a start and an end"
            case .backwardsRange(let field, let range):
                "\(field.name) range \"\(range)\" runs backwards (wrap-around ranges are not supported)"
            case .stepNotANumber(let field, let token):
                "\(field.name) step \"\(token)\" is not a number"
            case .stepOutOfRange(let field, let token):
                "\(field.name) step \(token) is out of range \(field.steps.lowerBound)-\(field.steps.upperBound)"
            }
        }
    }
}
