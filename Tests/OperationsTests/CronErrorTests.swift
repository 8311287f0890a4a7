import Operations
import Testing

/// Every refusal names the schedule, the field and the token at fault.
@Suite struct CronErrorTests {
    static let cases: [(String, String)] = [
        ("* * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 3"),
        ("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6"),
        ("", "expected 5 fields (minute hour day-of-month month day-of-week), found 0"),
        ("@daily 5", "expected 5 fields (minute hour day-of-month month day-of-week), found 2"),
        (
            "@reboot",
            "unknown macro \"@reboot\"; expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually"
        ),
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("99999999999999999999 * * * *", "minute 99999999999999999999 is out of range 0-59"),
        ("* 24 * * *", "hour 24 is out of range 0-23"),
        ("* * 0 * *", "day-of-month 0 is out of range 1-31"),
        ("* * 32 * *", "day-of-month 32 is out of range 1-31"),
        ("* * * 13 *", "month 13 is out of range 1-12"),
        ("* * * 0 *", "month 0 is out of range 1-12"),
        ("* * * * 8", "day-of-week 8 is out of range 0-7"),
        ("x * * * *", "minute \"x\" is not a number"),
        ("* -1 * * *", "hour range \"-1\" needs a start and an end"),
        ("* * * FOO *", "month \"FOO\" is not a number or a month name (JAN-DEC)"),
        ("* * * JANUARY *", "month \"JANUARY\" is not a number or a month name (JAN-DEC)"),
        ("* * * * FUNDAY", "day-of-week \"FUNDAY\" is not a number or a weekday name (SUN-SAT)"),
        ("* * * * JAN", "day-of-week \"JAN\" is not a number or a weekday name (SUN-SAT)"),
        ("* * MON * *", "day-of-month \"MON\" is not a number"),
        ("30-10 * * * *", "minute range \"30-10\" runs backwards (wrap-around ranges are not supported)"),
        ("* * * * FRI-MON", "day-of-week range \"FRI-MON\" runs backwards (wrap-around ranges are not supported)"),
        ("1- * * * *", "minute range \"1-\" needs a start and an end"),
        ("1-2-3 * * * *", "minute range \"1-2-3\" needs a start and an end"),
        ("*/0 * * * *", "minute step 0 is out of range 1-59"),
        ("*/60 * * * *", "minute step 60 is out of range 1-59"),
        ("* */24 * * *", "hour step 24 is out of range 1-23"),
        ("* * */31 * *", "day-of-month step 31 is out of range 1-30"),
        ("* * * */12 *", "month step 12 is out of range 1-11"),
        ("* * * * */7", "day-of-week step 7 is out of range 1-6"),
        ("*/x * * * *", "minute step \"x\" is not a number"),
        ("*/ * * * *", "minute step \"\" is not a number"),
        ("*/2/3 * * * *", "minute item \"*/2/3\" has more than one step"),
        ("1,,2 * * * *", "minute list \"1,,2\" has an empty item"),
        ("* 1, * * *", "hour list \"1,\" has an empty item"),
        ("0 0 30 2 ?", "day-of-week \"?\" is not a number or a weekday name (SUN-SAT)"),
    ]

    @Test(arguments: cases) func message(text: String, detail: String) {
        let thrown = #expect(throws: CronError.self) { try CronSchedule(parsing: text) }
        #expect(thrown?.description == "invalid cron schedule \"\(text)\": \(detail)")
        #expect(thrown?.schedule == text)
    }
}
