import EtcdClient
import EtcdProto
import Foundation
import ProcessTestSupport
import Testing

/// Snapshots in etcd's own file format, both ways: our member's snapshot read and restored by Go's tools
/// (etcdctl 3.4, etcdutl 3.5.1) and booted by Go etcd; Go etcd's snapshot restored by ours into a
/// three-member cluster of our member; our snapshot into our cluster, with a revision bump.
@Suite(.serialized) struct SnapshotRestoreTests {
    /// What a workload left: every key as a range of everything returns it, the newest revision, the
    /// compacted revision and the lease that holds two keys.
    struct Expected {
        var kvs: [Mvccpb_KeyValue]
        var revision: Int64
        var compacted: Int64
        var lease: Int64
    }

    /// Puts, overwrites, deletes, a lease with keys, a compaction and a value larger than a page.
    static func workload(_ client: EtcdClient) async throws -> Expected {
        for index in 1...40 { _ = try await client.put("a/\(index)", "v1-\(index)") }
        for index in 1...10 { _ = try await client.put("a/\(index)", "v2-\(index)") }
        let compacted = try await client.put("c/mark", "m")
        for index in 5...8 { _ = try await client.delete("a/\(index)") }
        _ = try await client.compact(revision: compacted)
        let lease = try await client.grantLease(ttl: 600).id
        _ = try await client.put("leased/x", "x", lease: lease)
        _ = try await client.put("leased/y", "y", lease: lease)
        let revision = try await client.put("big", String(repeating: "b", count: 5_000))
        return Expected(kvs: try await self.everything(client), revision: revision, compacted: compacted, lease: lease)
    }

    /// Every key with its revisions, version, value and lease.
    static func everything(_ client: EtcdClient, serializable: Bool = false) async throws -> [Mvccpb_KeyValue] {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data([0])
        request.rangeEnd = Data([0])
        request.serializable = serializable
        return try await client.range(request).kvs
    }

    /// Runs the workload on a fresh one-member cluster of `member` and saves its snapshot into `file` with
    /// `etcdctl`; returns what the member held.
    static func snapshotOfWorkload(to file: String, member executable: URL = Binaries.etcd, etcdctl: URL = Binaries.etcdctl) async throws -> Expected {
        let member = try MemberProcess(executable: executable)
        try await member.waitUntilServing()
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(member.clientPort)"])
        let expected = try await self.workload(client)
        await client.close()
        let saved = try await ProcessRunner.run(
            etcdctl, ["--endpoints", "127.0.0.1:\(member.clientPort)", "snapshot", "save", file], environment: ["ETCDCTL_API": "3"]
        )
        #expect(saved.status == 0, "\(saved.standardError)")
        _ = try await member.terminate()
        return expected
    }

    /// Checks that the member behind `client` serves the workload's state: the keys, the lease, the
    /// revision, and the compaction.
    static func expectServes(_ expected: Expected, _ client: EtcdClient, _ who: String) async throws {
        let kvs = try await self.everything(client, serializable: true)
        #expect(kvs == expected.kvs, "\(who) serves other keys")
        #expect(try await client.leases().leases.map(\.id).contains(expected.lease), "\(who) lost the lease")
        #expect(try await client.status().header.revision == expected.revision, "\(who) is at another revision")
        var old = Etcdserverpb_RangeRequest()
        old.key = Data("a/1".utf8)
        old.revision = expected.compacted - 1
        old.serializable = true
        await #expect(throws: EtcdError.self, "\(who) serves a compacted revision") { try await client.range(old) }
    }

    @Test(arguments: ["3.4", "3.5"])
    func goToolsReadAndRestoreOurSnapshot(go version: String) async throws {
        let directory = try Scratch()
        let file = directory.path + "/ours.db"
        let expected = try await Self.snapshotOfWorkload(to: file)

        let status: ProgramResult
        if version == "3.4" {
            status = try await ProcessRunner.run(try Binaries.system("etcdctl"), ["snapshot", "status", file, "-w", "json"], environment: ["ETCDCTL_API": "3"])
        } else {
            status = try await ProcessRunner.run(try Binaries.go35("etcdutl"), ["snapshot", "status", file, "-w", "json"])
        }
        #expect(status.status == 0, "Go \(version) refused our snapshot: \(status.standardError)")
        #expect(status.standardOutput.contains("\"revision\":\(expected.revision),"), "\(status.standardOutput)")
        let ours = try await ProcessRunner.run(Binaries.etcdctl, ["snapshot", "status", file, "-w", "json"])
        #expect(ours.standardOutput == status.standardOutput, "our status differs from Go's")

        let ports = (client: try FreePort.next(), peer: try FreePort.next())
        let peer = "http://127.0.0.1:\(ports.peer)"
        let dataDirectory = directory.path + "/restored"
        let restoreArguments = ["snapshot", "restore", file, "--data-dir", dataDirectory, "--name", "r1", "--initial-cluster", "r1=\(peer)",
                                "--initial-advertise-peer-urls", peer, "--initial-cluster-token", "restored"]
        let restored = version == "3.4"
            ? try await ProcessRunner.run(try Binaries.system("etcdctl"), restoreArguments, environment: ["ETCDCTL_API": "3"])
            : try await ProcessRunner.run(try Binaries.go35("etcdutl"), restoreArguments)
        #expect(restored.status == 0, "Go \(version) could not restore our snapshot: \(restored.standardError)")
        let goMember = try MemberProcess(
            arguments: ["--name", "r1", "--data-dir", dataDirectory, "--initial-cluster", "r1=\(peer)", "--initial-advertise-peer-urls", peer,
                        "--listen-peer-urls", peer],
            clientPort: ports.client, peerPort: ports.peer,
            executable: version == "3.4" ? try Binaries.system("etcd") : try Binaries.go35("etcd")
        )
        try await goMember.waitUntilServing()
        let goClient = try EtcdClient(endpoints: ["127.0.0.1:\(ports.client)"])
        try await Self.expectServes(expected, goClient, "Go etcd \(version)")
        await goClient.close()
        _ = try await goMember.terminate()
    }

    @Test func ourRestoreOfGoEtcdsSnapshotMakesAThreeMemberCluster() async throws {
        let directory = try Scratch()
        let file = directory.path + "/go34.db"
        let expected = try await Self.snapshotOfWorkload(to: file, member: try Binaries.system("etcd"), etcdctl: try Binaries.system("etcdctl"))
        try await self.restoreIntoThreeMembers(file, expected)
    }

    @Test func ourSnapshotRestoresIntoOurClusterAndBumpsRevisions() async throws {
        let directory = try Scratch()
        let file = directory.path + "/ours.db"
        let expected = try await Self.snapshotOfWorkload(to: file)
        try await self.restoreIntoThreeMembers(file, expected)

        let ports = (client: try FreePort.next(), peer: try FreePort.next())
        let peer = "http://127.0.0.1:\(ports.peer)"
        let dataDirectory = directory.path + "/bumped"
        let restored = try await ProcessRunner.run(Binaries.etcdctl, [
            "snapshot", "restore", file, "--data-dir", dataDirectory, "--name", "b1", "--initial-cluster", "b1=\(peer)",
            "--initial-advertise-peer-urls", peer, "--bump-revision", "1000", "--mark-compacted",
        ])
        #expect(restored.status == 0, "\(restored.standardError)")
        let bumped = try MemberProcess(
            arguments: ["--name", "b1", "--data-dir", dataDirectory, "--initial-cluster", "b1=\(peer)", "--initial-advertise-peer-urls", peer,
                        "--listen-peer-urls", peer],
            clientPort: ports.client, peerPort: ports.peer
        )
        try await bumped.waitUntilServing()
        let bumpedClient = try EtcdClient(endpoints: ["127.0.0.1:\(ports.client)"])
        #expect(try await bumpedClient.status().header.revision == expected.revision + 1000)
        var old = Etcdserverpb_RangeRequest()
        old.key = Data("big".utf8)
        old.revision = expected.revision
        await #expect(throws: EtcdError.compacted) { try await bumpedClient.range(old) }
        #expect(try await bumpedClient.get("big")?.modRevision == expected.revision, "the keys keep their revisions")
        #expect(try await bumpedClient.put("after", "bump") == expected.revision + 1001)
        await bumpedClient.close()
        _ = try await bumped.terminate()
    }

    /// Restores `file` with our etcdctl into the three seats of a new cluster of our member, starts it,
    /// and checks every member serves `expected` with the same history hash at its revision.
    private func restoreIntoThreeMembers(_ file: String, _ expected: Expected) async throws {
        let cluster = try TestCluster(size: 3)
        for seat in cluster.seats {
            let restored = try await ProcessRunner.run(Binaries.etcdctl, [
                "snapshot", "restore", file, "--data-dir", seat.dataDirectory, "--name", seat.name,
                "--initial-cluster", cluster.initialCluster(), "--initial-cluster-token", cluster.token,
                "--initial-advertise-peer-urls", seat.peerURL,
            ])
            #expect(restored.status == 0, "\(restored.standardError)")
        }
        try cluster.startAll()
        try await cluster.waitUntilServing()
        var hashes: Set<UInt32> = []
        for seat in cluster.seats {
            let client = try EtcdClient(endpoints: [seat.endpoint])
            try await Self.expectServes(expected, client, seat.name)
            hashes.insert(try await client.hashKV(revision: expected.revision).hash)
            await client.close()
        }
        #expect(hashes.count == 1, "the members' histories differ at revision \(expected.revision): \(hashes)")
    }
}
