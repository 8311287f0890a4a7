import Foundation
import Testing

/// A power cut right after the member compacted its Raft log at a point the backend called durable:
/// the backend file loses every write since its last fsync (the power-cut library's journal, undone),
/// and the restarted member must still hold every acknowledged write.
@Suite(.serialized) struct PowerCutTests {
    @Test func aPowerCutAfterTheLogWasCompactedLosesNoAcknowledgedWrite() async throws {
        let cluster = try TestCluster(size: 1, extraArguments: ClusterFailureTests.fastCluster)
        let library = try await PowerCut.buildLibrary(in: cluster.root)
        let seat = cluster.seat("m1")
        let database = "\(seat.dataDirectory)/member/snap/db"
        let journal = "\(cluster.root)/db.journal"
        var environment = PowerCut.environment(library: library, file: database, journal: journal)
        environment["CRASH_POINT"] = "logSnapshotSaved"
        let member = try cluster.start("m1", environment: environment, executable: Binaries.etcdCrashChild)
        try await member.waitUntilServing()
        let clients = try EndpointClients(ports: [seat.clientPort])
        let load = LoadWriter(clients: clients, ports: [seat.clientPort])
        load.start(writers: 8)
        _ = try await member.waitForExit(timeout: .seconds(60))
        await load.stop()
        #expect(member.log.contains("crash point logSnapshotSaved reached"), "\(member.log.suffix(2000))")
        cluster.reap("m1")
        let undone = try PowerCut.cut(database, journal: journal)

        let restarted = try cluster.start("m1")
        try await restarted.waitUntilServing()
        try await ClusterFailureTests().expectEveryMember(of: cluster, clients: clients, toHold: load.writes)
        #expect(load.count > 0, "writes were acknowledged before the cut (\(undone) unsynced writes undone)")
        await clients.close()
    }
}
