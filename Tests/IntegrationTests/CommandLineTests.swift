import EtcdProto
import Foundation
import Testing

/// What the three programs print for `--version`, `--help` and bad command lines.
@Suite struct CommandLineTests {
    @Test func etcdPrintsItsVersionLikeGoEtcd() async throws {
        let result = try await ProcessRunner.run(Binaries.etcd, ["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("etcd Version: \(EtcdVersion.server)\n"))
        #expect(result.standardOutput.contains("Go OS/Arch: linux/"))
    }

    @Test func etcdHelpListsFlagsWithTheirVariables() async throws {
        let result = try await ProcessRunner.run(Binaries.etcd, ["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("--listen-client-urls 'http://localhost:2379'   [ETCD_LISTEN_CLIENT_URLS]"))
        #expect(result.standardOutput.contains("--name 'default'"))
    }

    @Test func etcdRejectsAnUnknownFlagWithGosMessageAndStatus2() async throws {
        let result = try await ProcessRunner.run(Binaries.etcd, ["--no-such-flag"])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("flag provided but not defined: -no-such-flag\n"))
    }

    @Test func etcdRejectsAPositionalArgument() async throws {
        let result = try await ProcessRunner.run(Binaries.etcd, ["serve"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("'serve' is not a valid flag"))
    }

    @Test func etcdRejectsABadValueWithOneLogLine() async throws {
        let result = try await ProcessRunner.run(Binaries.etcd, ["--max-request-bytes", "lots"])
        #expect(result.status == 1)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains(#""msg":"failed to verify flags""#) == true)
        #expect(lines.first?.contains(#"invalid value \"lots\" for flag -max-request-bytes: parse error"#) == true)
    }

    @Test func etcdctlAndEtcdOpsAnswerVersionAndHelp() async throws {
        let ctlVersion = try await ProcessRunner.run(Binaries.etcdctl, ["version"])
        #expect(ctlVersion.status == 0)
        #expect(ctlVersion.standardOutput == "etcdctl version: \(EtcdVersion.server)\nAPI version: \(EtcdVersion.api)\n")
        let flagVersion = try await ProcessRunner.run(Binaries.etcdctl, ["--version"])
        #expect(flagVersion.status == 1, "Go etcdctl 3.5 has no --version flag")
        #expect(flagVersion.standardError.contains("Error: unknown flag: --version"))
        #expect(try await ProcessRunner.run(Binaries.etcdctl, ["--help"]).standardOutput.contains("USAGE:"))
        let unknown = try await ProcessRunner.run(Binaries.etcdctl, ["frobnicate"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains(#"unknown command "frobnicate" for "etcdctl""#))

        let opsVersion = try await ProcessRunner.run(Binaries.etcdOps, ["--version"])
        #expect(opsVersion.status == 0)
        #expect(opsVersion.standardOutput.hasPrefix("etcd-ops version: \(EtcdVersion.server)"))
        let opsHelp = try await ProcessRunner.run(Binaries.etcdOps, ["--help"])
        #expect(opsHelp.status == 0 && opsHelp.standardOutput.contains("USAGE: etcd-ops <subcommand>"))
        for command in ["backup", "verify", "restore", "status", "health"] {
            let help = try await ProcessRunner.run(Binaries.etcdOps, [command, "--help"])
            #expect(help.status == 0 && help.standardOutput.contains("Example"), "\(command) --help has an example")
        }
        let opsUnknown = try await ProcessRunner.run(Binaries.etcdOps, ["frobnicate"])
        #expect(opsUnknown.status == 64, "a usage error: \(opsUnknown.standardError)")
    }

    @Test func theShippedMemberIgnoresCrashPoints() async throws {
        let member = try MemberProcess(environment: ["CRASH_POINT": "walBeforeSave"])
        try await member.waitUntilServing()
        let clients = try EndpointClients(ports: [member.clientPort])
        try await clients.put("still", "running", port: member.clientPort, timeout: .seconds(20))
        #expect(member.isRunning, "CRASH_POINT arms only the crash tests' binary: \(member.log.suffix(1000))")
        await clients.close()
    }
}
