import Foundation
import Testing

/// How a three-member cluster comes up: readiness only with a quorum, and the same cluster configured by
/// flags, by `ETCD_*` variables alone, or by a config file.
@Suite(.serialized) struct ClusterStartupTests {
    @Test func eachMemberIsReadyOnlyOnceAQuorumExistsAndItServes() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        var sockets: [String: NotifySocket] = [:]
        for seat in cluster.seats {
            sockets[seat.name] = try NotifySocket()
        }
        try cluster.start("m1", environment: ["NOTIFY_SOCKET": sockets["m1"]!.path])
        let alone = try await sockets["m1"]!.messages(until: "READY=1", timeoutSeconds: 3)
        #expect(alone == nil, "one member of three has no quorum and is not ready")
        #expect((try? await RawHTTP.get(port: cluster.seat("m1").clientPort, "/version")) == nil, "nor serving")

        try cluster.start("m2", environment: ["NOTIFY_SOCKET": sockets["m2"]!.path])
        for name in ["m1", "m2"] {
            #expect(try await sockets[name]!.messages(until: "READY=1", timeoutSeconds: 15) != nil, "\(name) is ready")
            #expect(try await RawHTTP.get(port: cluster.seat(name).clientPort, "/health").status == 200)
        }
        try cluster.start("m3", environment: ["NOTIFY_SOCKET": sockets["m3"]!.path])
        #expect(try await sockets["m3"]!.messages(until: "READY=1", timeoutSeconds: 15) != nil, "m3 is ready")
        #expect(try await RawHTTP.get(port: cluster.seat("m3").clientPort, "/health").status == 200)
    }

    /// A member still waiting for its quorum (its proposal to publish itself pending) stops on SIGTERM
    /// as promptly as a serving one: systemd and docker stop it so when a cluster never forms.
    @Test func aMemberWithoutItsQuorumStopsOnSIGTERM() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.start("m1")
        try await Task.sleep(for: .seconds(2))
        let status = try await cluster.process("m1")!.terminate(within: .seconds(5))
        #expect(status == 0, "\(cluster.logs)")
    }

    @Test(arguments: ["flags", "environment", "config file"])
    func theSameClusterStartsFrom(_ source: String) async throws {
        let cluster = try TestCluster(size: 3)
        for seat in cluster.seats {
            let flags = cluster.arguments(for: seat.name)
            switch source {
            case "flags":
                try cluster.start(seat.name)
            case "environment":
                try cluster.start(seat.name, arguments: [], environment: Self.variables(from: flags))
            default:
                let path = "\(cluster.root)/\(seat.name).yaml"
                try Self.configFile(from: flags).write(toFile: path, atomically: true, encoding: .utf8)
                try cluster.start(seat.name, arguments: ["--config-file", path])
            }
        }
        try await cluster.waitUntilServing()
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        try await clients.put("configured", source, port: cluster.seat("m3").clientPort)
        for seat in cluster.seats {
            #expect(try await clients.read(prefix: "configured", port: seat.clientPort, serializable: false).values == ["configured": source])
        }
        let members = try await clients.cluster(cluster.seat("m1").clientPort).memberList(.init()).members
        #expect(members.map(\.name).sorted() == ["m1", "m2", "m3"])
        #expect(members.allSatisfy { $0.peerUrls.count == 1 && $0.clientUrls.count == 1 })
        await clients.close()
    }

    /// `--some-flag value` pairs as `ETCD_SOME_FLAG=value`.
    static func variables(from flags: [String]) -> [String: String] {
        var variables: [String: String] = [:]
        for index in stride(from: 0, to: flags.count, by: 2) {
            let name = flags[index].dropFirst(2).uppercased().replacingOccurrences(of: "-", with: "_")
            variables["ETCD_\(name)"] = flags[index + 1]
        }
        return variables
    }

    /// `--some-flag value` pairs as etcd's YAML config file (keys are the flag names).
    static func configFile(from flags: [String]) -> String {
        stride(from: 0, to: flags.count, by: 2).map { index in
            "\(flags[index].dropFirst(2)): '\(flags[index + 1])'"
        }.joined(separator: "\n") + "\n"
    }
}
