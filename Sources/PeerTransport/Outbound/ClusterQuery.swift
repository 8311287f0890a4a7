import EtcdProto
import NIOCore
import NIOPosix

/// Asks running members for the cluster's membership, as a member started with
/// `--initial-cluster-state existing` must before it can take part.
public struct ClusterQuery: Sendable {
    private let connector: PeerConnector

    /// A query over `eventLoopGroup` with the transport's limits.
    public init(eventLoopGroup: any EventLoopGroup, configuration: PeerTransportConfiguration = PeerTransportConfiguration()) {
        self.connector = PeerConnector(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }

    /// The membership as the first reachable address in `addresses` reports it. Throws the last failure if
    /// none answers.
    public func fetchMembers(from addresses: [PeerAddress], asking memberID: UInt64) async throws -> Memberpb_ClusterMembers {
        var hello = Memberpb_PeerHello()
        hello.kind = .clusterQuery
        hello.from = memberID
        var lastError: any Error = PeerProtocolError("no peer URLs to ask")
        for address in addresses {
            do {
                let channel = try await self.connector.connect(to: address)
                return try await channel.executeThenClose { inbound, outbound in
                    var replies = inbound.makeAsyncIterator()
                    try await PeerConnector.handshake(hello, inbound: &replies, outbound: outbound)
                    guard let frame = try await replies.next() else {
                        throw PeerProtocolError("\(address) closed the connection without answering")
                    }
                    return try PeerFrames.decode(Memberpb_ClusterMembers.self, from: frame)
                }
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}
