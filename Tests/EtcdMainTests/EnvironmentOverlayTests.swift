import EtcdMain
import Testing

@Suite struct EnvironmentOverlayTests {
    let parser = FlagParser([
        .value("name", default: "default", "name"),
        .value("initial-cluster-token", default: "etcd-cluster", "token"),
        .boolean("version", default: false, "version"),
    ])
    let overlay = EnvironmentOverlay(prefix: "ETCD", reserved: ["ETCD_VERSION"])

    @Test func variableNamesAreDerivedFromFlagNames() {
        #expect(parser.definition("initial-cluster-token")?.environmentName(prefix: "ETCD") == "ETCD_INITIAL_CLUSTER_TOKEN")
    }

    @Test func variablesSetFlagsThatTheCommandLineLeftAlone() throws {
        var flags = try parser.parse([])
        let warnings = try overlay.apply(["ETCD_INITIAL_CLUSTER_TOKEN": "t1", "HOME": "/root"], to: &flags, parser: parser)
        #expect(flags.value("initial-cluster-token") == "t1")
        #expect(flags.source("initial-cluster-token") == .environment)
        #expect(warnings.isEmpty)
    }

    @Test func aFlagBeatsItsVariableWithAWarning() throws {
        var flags = try parser.parse(["--name", "from-flag"])
        let warnings = try overlay.apply(["ETCD_NAME": "from-env"], to: &flags, parser: parser)
        #expect(flags.value("name") == "from-flag")
        #expect(warnings == ["flag --name overrides environment variable ETCD_NAME=from-env"])
    }

    @Test func unknownVariablesAreReportedButReservedOnesAreNot() throws {
        var flags = try parser.parse([])
        let warnings = try overlay.apply(["ETCD_NAMEE": "typo", "ETCD_VERSION": "3"], to: &flags, parser: parser)
        #expect(warnings == ["unrecognized environment variable ETCD_NAMEE=typo"])
    }

    @Test func aBadBooleanInTheEnvironmentIsRejected() throws {
        var flags = try parser.parse([])
        let other = EnvironmentOverlay(prefix: "ETCD")
        #expect(throws: FlagError.invalidValue(name: "version", value: "yes", reason: "parse error")) {
            _ = try other.apply(["ETCD_VERSION": "yes"], to: &flags, parser: parser)
        }
    }
}
