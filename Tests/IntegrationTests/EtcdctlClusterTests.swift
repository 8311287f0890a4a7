import Foundation
import Testing

/// Debian's Go `etcdctl` on what a one-member script against Go etcd cannot show: leases expiring on
/// time, keep-alives, locks and elections held by one etcdctl while another waits, and moving leadership
/// in a three-member cluster.
@Suite(.serialized) struct EtcdctlClusterTests {
    private func etcdctl(_ endpoints: [String], _ arguments: [String]) async throws -> ProgramResult {
        try await Etcdctl.run(endpoints, arguments)
    }

    /// etcdctl stopped by SIGTERM after `seconds`, as `timeout(1)` does (status 124 when it was stopped).
    private func etcdctl(_ endpoints: [String], for seconds: Int, _ arguments: [String]) async throws -> ProgramResult {
        try await ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            ["\(seconds)", try Binaries.system("etcdctl").path, "--endpoints=\(endpoints.joined(separator: ","))"] + arguments,
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
    }

    @Test func aLockIsExclusiveAndAnElectionAnnouncesItsLeader() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let endpoints = ["127.0.0.1:\(member.clientPort)"]
        async let holder = self.etcdctl(endpoints, for: 6, ["lock", "shared"])
        try await self.waitForKeys(prefix: "shared/", endpoints)
        let waiter = try await self.etcdctl(endpoints, for: 2, ["lock", "shared", "echo", "second"])
        #expect(waiter.status == 124 && waiter.standardOutput.isEmpty, "the lock is held: \(waiter)")
        let held = try await holder
        #expect(held.standardOutput.hasPrefix("shared/"), "the holder printed its key: \(held.standardOutput)")
        let after = try await self.etcdctl(endpoints, for: 5, ["lock", "shared", "echo", "third"])
        #expect(after.status == 0 && after.standardOutput == "third\n", "released when the holder stopped: \(after)\nmember log:\n\(member.log.suffix(3000))")

        async let candidate = self.etcdctl(endpoints, for: 6, ["elect", "election", "alice"])
        try await self.waitForKeys(prefix: "election/", endpoints)
        let observer = try await self.etcdctl(endpoints, for: 1, ["elect", "--listen", "election"])
        let lines = observer.standardOutput.split(separator: "\n")
        #expect(lines.count >= 2 && lines[0].hasPrefix("election/") && lines[1] == "alice", "\(observer.standardOutput)")
        _ = try await candidate
    }

    /// Waits (up to 10 s) until a key under `prefix` exists: another etcdctl holds a lock or leads.
    private func waitForKeys(prefix: String, _ endpoints: [String]) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let listed = try await self.etcdctl(endpoints, ["get", prefix, "--prefix", "--keys-only"])
            guard listed.standardOutput.isEmpty else { return }
            guard ContinuousClock.now < deadline else { throw Timeout(what: "a key under \(prefix) (the last get: \(listed))") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    @Test func leasesKeepAliveAndExpireWithTheirKeys() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let endpoints = ["127.0.0.1:\(member.clientPort)"]
        let granted = try await self.etcdctl(endpoints, ["lease", "grant", "2"])
        let lease = try #require(granted.standardOutput.firstMatch(of: /lease ([0-9a-f]+) granted with TTL\(2s\)/)?.1)
        #expect(try await self.etcdctl(endpoints, ["put", "short", "lived", "--lease", String(lease)]).standardOutput == "OK\n")
        let kept = try await self.etcdctl(endpoints, ["lease", "keep-alive", "--once", String(lease)])
        #expect(kept.standardOutput == "lease \(lease) keepalived with TTL(2)\n")
        let alive = try await self.etcdctl(endpoints, ["lease", "timetolive", "--keys", String(lease)])
        #expect(alive.standardOutput.hasPrefix("lease \(lease) granted with TTL(2s), remaining("))
        #expect(alive.standardOutput.hasSuffix("s), attached keys([short])\n"))

        try await Task.sleep(for: .seconds(4))
        #expect(try await self.etcdctl(endpoints, ["get", "short"]).standardOutput == "")
        let expired = try await self.etcdctl(endpoints, ["lease", "timetolive", String(lease)])
        #expect(expired.standardOutput == "lease \(lease) already expired\n")
        let revoked = try await self.etcdctl(endpoints, ["lease", "revoke", String(lease)])
        #expect(revoked.status != 0 && revoked.standardError.contains("Error: failed to revoke lease (etcdserver: requested lease not found)"))
    }

    @Test func moveLeaderHandsLeadershipToAnotherMember() async throws {
        let cluster = try TestCluster(size: 3, extraArguments: ClusterFailureTests.fastCluster)
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let status = try await self.etcdctl(cluster.endpoints, ["endpoint", "status"])
        let rows = status.standardOutput.split(separator: "\n").map { $0.components(separatedBy: ", ") }
        #expect(rows.count == 3 && rows.filter { $0[4] == "true" }.count == 1, "\(status.standardOutput)")
        let follower = try #require(rows.first { $0[4] == "false" })
        let leader = try #require(rows.first { $0[4] == "true" })
        let moved = try await self.etcdctl(cluster.endpoints, ["move-leader", follower[1]])
        #expect(moved.standardOutput == "Leadership transferred from \(leader[1]) to \(follower[1])\n", "\(moved.standardError)")
        let after = try await self.etcdctl([follower[0]], ["endpoint", "status"])
        #expect(after.standardOutput.contains(", \(follower[1]), ") && after.standardOutput.contains(", true, false, "))
    }
}
