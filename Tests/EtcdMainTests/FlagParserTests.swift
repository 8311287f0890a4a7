import EtcdMain
import Testing

@Suite struct FlagParserTests {
    let parser = FlagParser([
        .value("name", default: "default", "name"),
        .value("data-dir", default: "", "dir"),
        .boolean("version", default: false, "version"),
    ])

    @Test func acceptsOneOrTwoDashesAndBothValueForms() throws {
        for arguments in [
            ["--name", "a", "--data-dir=/x"], ["-name", "a", "-data-dir", "/x"], ["-name=a", "--data-dir", "/x"],
        ] {
            let flags = try parser.parse(arguments)
            #expect(flags.value("name") == "a", "\(arguments)")
            #expect(flags.value("data-dir") == "/x", "\(arguments)")
            #expect(flags.source("name") == .commandLine)
        }
    }

    @Test func defaultsApplyToFlagsNotGiven() throws {
        let flags = try parser.parse([])
        #expect(flags.value("name") == "default")
        #expect(!flags.isSet("name"))
        #expect(flags.source("name") == nil)
    }

    @Test func theLastOccurrenceWins() throws {
        #expect(try parser.parse(["--name", "a", "--name", "b"]).value("name") == "b")
    }

    @Test func booleansTakeNoSeparateArgument() throws {
        #expect(try parser.parse(["--version"]).value("version") == "true")
        #expect(try parser.parse(["--version=false"]).value("version") == "false")
        let flags = try parser.parse(["--version", "false"])
        #expect(flags.value("version") == "true")
        #expect(flags.positional == ["false"], "Go stops at the first non-flag argument")
    }

    @Test func parsingStopsAtDoubleDashAndAtTheFirstNonFlag() throws {
        #expect(try parser.parse(["--", "--name", "a"]).positional == ["--name", "a"])
        #expect(try parser.parse(["extra", "--name", "a"]).positional == ["extra", "--name", "a"])
        #expect(try parser.parse(["-"]).positional == ["-"])
    }

    @Test func errorsAreWordedAsGoWordsThem() {
        #expect(throws: FlagError.undefined(name: "nope")) { try parser.parse(["--nope"]) }
        #expect(throws: FlagError.needsArgument(name: "name")) { try parser.parse(["--name"]) }
        #expect(throws: FlagError.badSyntax(argument: "---name")) { try parser.parse(["---name"]) }
        #expect(throws: FlagError.badSyntax(argument: "-=x")) { try parser.parse(["-=x"]) }
        #expect(throws: FlagError.invalidBoolean(name: "version", value: "maybe")) {
            try parser.parse(["--version=maybe"])
        }
        #expect(throws: FlagError.helpRequested) { try parser.parse(["-h"]) }
        #expect(throws: FlagError.helpRequested) { try parser.parse(["--help"]) }
        #expect(FlagError.undefined(name: "nope").description == "flag provided but not defined: -nope")
        #expect(
            FlagError.invalidValue(name: "max-request-bytes", value: "x", reason: "parse error").description
                == #"invalid value "x" for flag -max-request-bytes: parse error"#
        )
    }
}
