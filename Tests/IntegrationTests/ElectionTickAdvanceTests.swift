import Foundation
import Testing

/// `--initial-election-tick-advance`: members started together move their election clocks on once two
/// peers are connected, as etcd logs it, and elect a leader; with the flag off they say they skip it.
@Suite(.serialized) struct ElectionTickAdvanceTests {
    @Test(arguments: [true, false])
    func membersStartedTogetherAdvanceTheirElectionClocksUnlessTold(advance: Bool) async throws {
        let cluster = try TestCluster(size: 3, extraArguments: advance ? [] : ["--initial-election-tick-advance=false"])
        try cluster.startAll()
        try await cluster.waitUntilServing()
        let expected = advance ? "initialized peer connections; fast-forwarding election ticks" : "skipping initial election tick advance"
        for seat in cluster.seats {
            let log = try #require(cluster.process(seat.name)).log
            #expect(log.contains(expected), "\(seat.name): \(log.suffix(1500))")
            if advance { #expect(log.contains(#""forward-ticks":"8""#) && log.contains(#""active-remote-members":"2""#)) }
        }
        let clients = try EndpointClients(ports: cluster.seats.map(\.clientPort))
        try await clients.put("after-start", "1", port: cluster.seats[0].clientPort, timeout: .seconds(10))
        await clients.close()
    }
}
