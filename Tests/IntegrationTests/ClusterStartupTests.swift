import Foundation
import Glibc
import ProcessTestSupport
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

    /// A port another program holds stops the member with etcd's words, naming the port, and status 1.
    @Test(arguments: ["peer", "client"])
    func aTakenPortStopsTheMemberWithEtcdsMessage(_ side: String) async throws {
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        let port = try FreePort.next()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        try #require(bound && listen(holder, 1) == 0)
        let member = side == "peer" ? try MemberProcess(peerPort: port) : try MemberProcess(clientPort: port)
        let status = try await member.waitForExit(timeout: .seconds(10))
        #expect(status == 1)
        #expect(member.log.contains("\"msg\":\"failed to start etcd\",\"error\":\"listen tcp 127.0.0.1:\(port): bind: address already in use\""), "\(member.log)")
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
