import Lease
import Logging
import PeerTransport

/// The pieces of a member, assembled by the bootstrap before the server object exists.
struct ServerParts {
    var memberID: UInt64
    var clusterID: UInt64
    var configuration: ServerConfiguration
    var logger: Logger
    var leader: LeaderState
    var requestIDs: RequestIDGenerator
    var proposals: ProposalRouter
    var reads: ReadIndexCoordinator
    var lessor: Lessor
    var raftLoop: RaftLoop
    var applyLoop: ApplyLoop
    var stateMachine: MemberStateMachine
    var transport: PeerTransport
    var peerLink: PeerLink
    var events: ServerEvents
    var dataLock: DataDirectoryLock
}
