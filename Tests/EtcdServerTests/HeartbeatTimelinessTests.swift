@_spi(Testing) import EtcdServer
import Raft
import Testing

/// etcd's late-heartbeat check: a heartbeat to a peer more than twice the interval after the previous one
/// to that peer is late, by the excess; other messages and a peer's first heartbeat are never late.
@Suite struct HeartbeatTimelinessTests {
    private static func heartbeat(to peer: UInt64) -> Raft.Message {
        Raft.Message(type: .heartbeat, to: peer)
    }

    @Test func aHeartbeatPastTwiceTheIntervalIsLateByTheExcess() {
        var check = HeartbeatTimeliness(heartbeatInterval: .milliseconds(100))
        let start = ContinuousClock.now
        #expect(check.late(among: [Self.heartbeat(to: 2), Self.heartbeat(to: 3)], at: start).isEmpty)
        #expect(check.late(among: [Self.heartbeat(to: 2)], at: start + .milliseconds(200)).isEmpty, "exactly the gap is on time")
        let late = check.late(among: [Self.heartbeat(to: 2), Self.heartbeat(to: 3)], at: start + .milliseconds(450))
        #expect(late.map(\.peer) == [2, 3])
        #expect(late.map(\.exceededBy) == [.milliseconds(50), .milliseconds(250)])
    }

    @Test func otherMessagesAndAResetStartNoGap() {
        var check = HeartbeatTimeliness(heartbeatInterval: .milliseconds(100))
        let start = ContinuousClock.now
        _ = check.late(among: [Self.heartbeat(to: 2)], at: start)
        #expect(check.late(among: [Raft.Message(type: .append, to: 2)], at: start + .seconds(5)).isEmpty)
        check.reset()
        #expect(check.late(among: [Self.heartbeat(to: 2)], at: start + .seconds(10)).isEmpty, "a new term of leadership starts afresh")
        #expect(check.late(among: [Self.heartbeat(to: 2)], at: start + .seconds(11)).count == 1)
    }
}
