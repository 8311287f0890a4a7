import EtcdProto
import Foundation
import GRPCCore
import ProcessTestSupport
import Testing

/// The Lock and Election services against our member and against Go etcd 3.4 (`/usr/bin/etcd`): the same
/// JSON gateway requests get the same status and, ids masked, the same body byte for byte; a gateway client
/// that goes away takes its waiting lock or campaign with it in both; and the same gRPC calls leave the same
/// `grpc_server_*` series (none before the first call, as etcd registers these services after it initialises
/// go-grpc-prometheus).
@Suite(.serialized) struct LockElectionCompatibilityTests {
    /// One gateway request; revisions in the bodies follow from the steps before.
    static let script: [(path: String, body: String)] = [
        ("/v3/lease/grant", #"{"TTL":60,"ID":1000}"#),
        ("/v3/lease/grant", #"{"TTL":60,"ID":2000}"#),
        ("/v3/lock/lock", #"{"name":"bA==","lease":"1000"}"#),
        ("/v3/lock/lock", #"{"name":"bA==","lease":"1000"}"#),
        ("/v3/lock/lock", #"{"name":"bA==","lease":"99"}"#),
        ("/v3/lock/lock", #"{"lease":"2000"}"#),
        ("/v3/lock/unlock", #"{"key":"bC8zZTg="}"#),
        ("/v3/lock/unlock", "{}"),
        ("/v3/lock/unlock", #"{"key":"bm9uZQ=="}"#),
        ("/v3/election/leader", #"{"name":"ZQ=="}"#),
        ("/v3/election/campaign", #"{"name":"ZQ==","lease":"1000","value":"djE="}"#),
        ("/v3/election/campaign", #"{"name":"ZQ==","lease":"1000","value":"djI="}"#),
        ("/v3/election/leader", #"{"name":"ZQ=="}"#),
        ("/v3/election/proclaim", #"{"leader":{"name":"ZQ==","key":"ZS8zZTg=","rev":"5","lease":"1000"},"value":"djM="}"#),
        ("/v3/election/proclaim", #"{"leader":{"name":"ZQ==","key":"ZS8zZTg=","rev":"4","lease":"1000"},"value":"djQ="}"#),
        ("/v3/election/proclaim", #"{"value":"djQ="}"#),
        ("/v3/election/resign", #"{"leader":{"name":"ZQ==","key":"ZS8zZTg=","rev":"4","lease":"1000"}}"#),
        ("/v3/election/resign", "{}"),
        ("/v3/election/leader", #"{"name":"ZQ=="}"#),
        ("/v3/election/resign", #"{"leader":{"name":"ZQ==","key":"ZS8zZTg=","rev":"5","lease":"1000"}}"#),
        ("/v3/election/leader", #"{"name":"ZQ=="}"#),
        ("/v3/election/campaign", #"{"name":"ZQ==","lease":"99","value":"djE="}"#),
        ("/v3/election/campaign", #"{"name":"ZQ==","lease":"2000","value":""}"#),
    ]

    @Test func theGatewayAnswersAsGoEtcdAnswers() async throws {
        let ours = try await self.transcript(executable: Binaries.etcd)
        let theirs = try await self.transcript(executable: try Binaries.system("etcd"))
        #expect(ours.count == theirs.count)
        for (index, (mine, go)) in zip(ours, theirs).enumerated() {
            #expect(mine == go, "step \(index): \(index < Self.script.count ? Self.script[index].body : "observe")")
        }
    }

    @Test func aGatewayClientGoingAwayTakesItsLockAndCandidacyWithIt() async throws {
        for executable in [Binaries.etcd, try Binaries.system("etcd")] {
            let member = try MemberProcess(executable: executable)
            try await member.waitUntilServing()
            let port = member.clientPort
            let clients = try EndpointClients(ports: [port])
            try await clients.grant(0x1, port: port)
            try await clients.grant(0x2, port: port)
            _ = try await clients.lock("l", lease: 0x1, port: port)
            _ = try await clients.campaign("e", lease: 0x1, value: "one", port: port)
            for (path, body) in [
                ("/v3/lock/lock", #"{"name":"bA==","lease":"2"}"#), ("/v3/election/campaign", #"{"name":"ZQ==","lease":"2"}"#),
            ] {
                let waiter = try RawConnection(port: port)
                try waiter.send(GatewayHTTP.request(path, body))
                try await Task.sleep(for: .milliseconds(500))
                waiter.hangUp()
            }
            var left: [String] = []
            for _ in 0..<100 {
                left = try await (clients.keys(under: "l", port: port) + clients.keys(under: "e", port: port))
                    .map { String(decoding: $0.key, as: UTF8.self) }
                if left.count == 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(left == ["l/1", "e/1"], "\(executable.path)")
            await clients.close()
        }
    }

    @Test func theCallsLeaveGoEtcdsMetricSeries() async throws {
        let ours = try await self.metrics(executable: Binaries.etcd)
        let theirs = try await self.metrics(executable: try Binaries.system("etcd"))
        #expect(ours.before.isEmpty && theirs.before.isEmpty, "\(ours.before)")
        #expect(ours.after == theirs.after)
        #expect(ours.after.contains(#"grpc_server_handled_total{grpc_code="OK",grpc_method="Lock",grpc_service="v3lockpb.Lock",grpc_type="unary"} 1"#))
    }

    /// Each step's status and masked body against a fresh one-member cluster of `executable`, then the first
    /// line an observer gets.
    private func transcript(executable: URL) async throws -> [String] {
        let member = try MemberProcess(executable: executable)
        try await member.waitUntilServing()
        var lines: [String] = []
        for step in Self.script {
            let answer = try await GatewayHTTP.post(port: member.clientPort, step.path, step.body)
            lines.append("\(answer.status) \(Self.mask(answer.body))")
        }
        let observer = try RawConnection(port: member.clientPort)
        let first = try await offload {
            try observer.send(GatewayHTTP.request("/v3/election/observe", #"{"name":"ZQ=="}"#))
            return try observer.read(until: "}}}")
        }
        observer.hangUp()
        let answer = GatewayHTTP.parse(first)
        lines.append("\(answer.status) \(answer.headers["content-type"] ?? "") \(Self.mask(answer.body))")
        return lines
    }

    /// The `grpc_server_*` lines of the Lock and Election services before and after the same gRPC calls.
    private func metrics(executable: URL) async throws -> (before: [String], after: [String]) {
        let member = try MemberProcess(executable: executable)
        try await member.waitUntilServing()
        let port = member.clientPort
        let before = try await Self.serviceSeries(port: port)
        let clients = try EndpointClients(ports: [port])
        try await clients.grant(0x7, port: port)
        let held = try await clients.lock("m", lease: 0x7, port: port)
        _ = await rpcFailure { try await clients.lock("m", lease: 0x8, port: port) }
        try await clients.unlock(held.key, port: port)
        _ = await rpcFailure { try await clients.leader("m", port: port) }
        _ = try await clients.campaign("m", lease: 0x7, value: "v", port: port)
        _ = await rpcFailure { try await clients.proclaim("v", by: nil, port: port) }
        await clients.close()
        return (before, try await Self.serviceSeries(port: port))
    }

    private static func serviceSeries(port: Int) async throws -> [String] {
        let scrape = try await RawHTTP.request(port: port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return GatewayHTTP.parse(scrape).body.split(separator: "\n")
            .filter { $0.hasPrefix("grpc_server_") && ($0.contains("v3lockpb") || $0.contains("v3electionpb")) }
            .map(String.init).sorted()
    }

    /// Hides what differs by nature: cluster and member ids.
    private static func mask(_ text: String) -> String {
        text.replacing(try! Regex(#""(cluster_id|member_id)":"\d+""#)) { match in "\"\(match.output[1].substring ?? "")\":N" }
    }
}
