import Foundation
import Testing

/// `/debug/vars` against Go etcd 3.4's: the same variables but Go's runtime `memstats`, `raft.status` with
/// the same fields; on three members the leader lists every member's progress and a follower none.
@Suite struct DebugVarsTests {
    /// The variables, asked over HTTP/1.0 so that Go's server sends the body whole rather than chunked.
    private static func vars(port: Int) async throws -> [String: Any] {
        let answer = try await RawHTTP.request(port: port, "GET /debug/vars HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        let parts = answer.components(separatedBy: "\r\n\r\n")
        #expect(parts[0].hasPrefix("HTTP/1.") && parts[0].contains(" 200 "), "\(parts[0])")
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    @Test func oneMembersVariablesHaveGoEtcdsShape() async throws {
        let ours = try MemberProcess()
        try await ours.waitUntilServing()
        let go = try await GoMember.start(scheme: "http", arguments: [])
        let mine = try await Self.vars(port: ours.clientPort)
        let theirs = try await Self.vars(port: go.clientPort)
        #expect(Set(mine.keys) == Set(theirs.keys).subtracting(["memstats"]))
        let raft = try #require(mine["raft.status"] as? [String: Any])
        let goRaft = try #require(theirs["raft.status"] as? [String: Any])
        #expect(Set(raft.keys) == Set(goRaft.keys))
        #expect(raft["raftState"] as? String == "StateLeader" && raft["id"] as? String == raft["lead"] as? String)
        #expect((mine["cmdline"] as? [String])?.contains("--listen-client-urls") == true)
        #expect((mine["file_descriptor_limit"] as? Int ?? 0) > 0)
        _ = try await ours.terminate()
        _ = try await go.terminate()
    }

    @Test func theLeaderListsEveryMembersProgress() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        var roles: [String] = []
        for seat in cluster.seats {
            let raft = try #require(try await Self.vars(port: seat.clientPort)["raft.status"] as? [String: Any])
            let progress = try #require(raft["progress"] as? [String: Any])
            let role = raft["raftState"] as? String ?? ""
            roles.append(role)
            #expect(progress.count == (role == "StateLeader" ? 3 : 0), "\(raft)")
        }
        #expect(roles.sorted() == ["StateFollower", "StateFollower", "StateLeader"])
    }
}
