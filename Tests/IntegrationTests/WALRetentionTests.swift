import Foundation
import Testing

/// `--max-wals`: with 0 (etcd's "unlimited") a member keeps every WAL segment after its snapshots, and
/// restarts from them; with the default it deletes the segments a snapshot made redundant.
@Suite(.serialized) struct WALRetentionTests {
    /// Writes about 77 MB (two 64 MB segments) with snapshots every 100 entries; returns the segment count.
    private static func segmentsAfterFilling(_ cluster: TestCluster) async throws -> Int {
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let port = cluster.seat("m1").clientPort
        let clients = try EndpointClients(ports: [port])
        try await clients.fill(prefix: "wal/", count: 600, value: String(repeating: "w", count: 128 * 1024), port: port)
        try await clients.put("wal-last", "1", port: port)
        await clients.close()
        return try Self.segments(cluster)
    }

    private static func segments(_ cluster: TestCluster) throws -> Int {
        let directory = cluster.seat("m1").dataDirectory + "/member/wal"
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".wal") }.count
    }

    @Test func zeroKeepsEverySegmentAndTheDefaultOnlyTheNeededOnes() async throws {
        let flags = ["--snapshot-count", "100", "--quota-backend-bytes", "4294967296"]
        let keeping = try TestCluster(size: 1, extraArguments: flags + ["--max-wals", "0"])
        #expect(try await Self.segmentsAfterFilling(keeping) >= 2)
        #expect(keeping.process("m1")?.log.contains("saved snapshot and compacted the Raft log") == true)
        keeping.kill("m1")
        let restarted = try keeping.start("m1")
        try await restarted.waitUntilServing()
        let clients = try EndpointClients(ports: [keeping.seat("m1").clientPort])
        #expect(try await clients.value(of: "wal-last", port: keeping.seat("m1").clientPort) == "1")
        await clients.close()
        #expect(try Self.segments(keeping) >= 2)

        let purging = try TestCluster(size: 1, extraArguments: flags)
        #expect(try await Self.segmentsAfterFilling(purging) == 1)
    }
}
