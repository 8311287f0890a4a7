import EtcdMain
import Membership
import Foundation
import Testing

@Suite final class ConfigFileTests {
    let parser = FlagParser(MemberFlags.all)
    /// The test's config files, removed with the test.
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-config-\(UUID().uuidString)").path

    deinit {
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    private func write(_ yaml: String) throws -> String {
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        let path = "\(self.directory)/etcd-\(UUID().uuidString).yml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func keysAreFlagNamesWithGoYAMLTypes() throws {
        let path = try write(
            """
            name: infra1
            data-dir: /var/lib/etcd
            listen-client-urls: http://127.0.0.1:2379,http://10.0.0.1:2379
            advertise-client-urls: http://10.0.0.1:2379
            listen-peer-urls: http://127.0.0.1:2380
            initial-advertise-peer-urls: http://127.0.0.1:2380
            initial-cluster: infra1=http://127.0.0.1:2380
            snapshot-count: 5000
            grpc-keepalive-min-time: 3000000000
            strict-reconfig-check: false
            log-outputs: [stderr]
            quota-backend-bytes: 8589934592
            """
        )
        let (flags, warnings) = try ConfigFile.load(path: path, parser: parser)
        #expect(warnings.isEmpty)
        #expect(flags.source("name") == .configFile)
        let options = try MemberOptions(flags: flags)
        #expect(options.name == "infra1")
        #expect(options.dataDirectory == "/var/lib/etcd")
        #expect(options.listenClientURLs.count == 2)
        #expect(options.snapshotCount == 5_000)
        #expect(options.keepaliveMinimumPingInterval == .seconds(3))
        #expect(!options.strictReconfigCheck)
        #expect(options.logOutputs == ["stderr"])
        #expect(options.quotaBackendBytes == 8_589_934_592)
    }

    @Test func unknownKeysAreWarnedAbout() throws {
        let path = try write("name: x\nno-such-setting: 1\n")
        let (flags, warnings) = try ConfigFile.load(path: path, parser: parser)
        #expect(flags.value("name") == "x")
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("no-such-setting") == true)
    }

    @Test func settingsThisMemberCannotHonourAreRefused() throws {
        let off = try ConfigFile.load(path: try write("enable-v2: false\ndiscovery: \"\"\nproxy: \"off\"\n"), parser: parser).flags
        _ = try MemberOptions(flags: off)
        let on = try ConfigFile.load(path: try write("discovery: https://discovery.etcd.io/abc\n"), parser: parser).flags
        #expect(throws: ConfigurationError("--discovery=https://discovery.etcd.io/abc: discovery is not supported by this member; list the members in --initial-cluster")) {
            try MemberOptions(flags: on)
        }
    }

    @Test func transportSecuritySectionsSetTheTLSFlags() throws {
        let path = try write(
            "client-transport-security:\n  cert-file: /c.pem\n  key-file: /c.key\n  client-cert-auth: true\n  trusted-ca-file: /ca.pem\n"
                + "peer-transport-security:\n  cert-file: /p.pem\n  allowed-cn: etcd-peer\n  auto-tls: true\n  bogus: 1\n"
        )
        let (flags, warnings) = try ConfigFile.load(path: path, parser: parser)
        #expect(flags.value("cert-file") == "/c.pem" && flags.value("key-file") == "/c.key")
        #expect(flags.value("client-cert-auth") == "true" && flags.value("trusted-ca-file") == "/ca.pem")
        #expect(flags.value("peer-cert-file") == "/p.pem" && flags.value("peer-cert-allowed-cn") == "etcd-peer")
        #expect(flags.value("peer-auto-tls") == "true")
        #expect(warnings == ["unknown key peer-transport-security.bogus in config file \(path) is ignored"])
    }

    @Test func durationsMustBeNanosecondsAsInEtcd() throws {
        let path = try write("grpc-keepalive-min-time: 5s\n")
        #expect(throws: ConfigurationError.self) { try ConfigFile.load(path: path, parser: parser) }
    }

    @Test func aMissingFileOrBadYAMLIsAClearError() throws {
        #expect(throws: ConfigurationError.self) { try ConfigFile.load(path: "/nonexistent/etcd.yml", parser: parser) }
        let path = try write("name: [unclosed\n")
        #expect(throws: ConfigurationError.self) { try ConfigFile.load(path: path, parser: parser) }
    }
}
