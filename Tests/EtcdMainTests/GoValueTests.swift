import EtcdMain
import Testing

@Suite struct GoValueTests {
    @Test func booleansFollowStrconv() {
        for text in ["1", "t", "T", "TRUE", "true", "True"] { #expect(GoValue.parseBool(text) == true) }
        for text in ["0", "f", "F", "FALSE", "false", "False"] { #expect(GoValue.parseBool(text) == false) }
        for text in ["", "yes", "tRuE", "2"] { #expect(GoValue.parseBool(text) == nil) }
    }

    @Test func integersTakeGoPrefixes() {
        #expect(GoValue.parseUInt64("1572864") == 1_572_864)
        #expect(GoValue.parseUInt64("0x10") == 16)
        #expect(GoValue.parseUInt64("010") == 8)
        #expect(GoValue.parseUInt64("0b101") == 5)
        #expect(GoValue.parseUInt64("0") == 0)
        #expect(GoValue.parseUInt64("-1") == nil)
        #expect(GoValue.parseUInt64("12a") == nil)
        #expect(GoValue.parseUInt64("") == nil)
        #expect(GoValue.parseUInt64("18446744073709551616") == nil)
        #expect(GoValue.parseInt64("-1") == -1)
        #expect(GoValue.parseInt64("-9223372036854775808") == Int64.min)
        #expect(GoValue.parseInt64("9223372036854775808") == nil)
    }

    @Test func durationsFollowTimeParseDuration() {
        #expect(GoValue.parseDuration("5s") == .seconds(5))
        #expect(GoValue.parseDuration("2h") == .seconds(7_200))
        #expect(GoValue.parseDuration("1h30m") == .seconds(5_400))
        #expect(GoValue.parseDuration("100ms") == .milliseconds(100))
        #expect(GoValue.parseDuration("1.5s") == .milliseconds(1_500))
        #expect(GoValue.parseDuration("0") == .zero)
        #expect(GoValue.parseDuration("-3s") == .seconds(-3))
        #expect(GoValue.parseDuration("5") == nil, "a number without a unit is not a duration")
        #expect(GoValue.parseDuration("s") == nil)
        #expect(GoValue.parseDuration("") == nil)
        #expect(GoValue.parseDuration("5x") == nil)
    }
}
