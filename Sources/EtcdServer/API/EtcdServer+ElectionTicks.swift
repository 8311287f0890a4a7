extension EtcdServer {
    /// etcd's initial election tick advance (`--initial-election-tick-advance`, on by default). In a
    /// cluster of several members, once the streams to at least two peers are connected (looked at every
    /// 50 ms for 5 s, etcd's wait), the election clock moves on to two ticks short of the election timeout:
    /// members started together elect a leader after about two heartbeat intervals instead of a whole
    /// timeout, and a member restarting into a cluster still hears the leader's heartbeat before it would
    /// campaign (and with pre-vote, a campaign disturbs no leader). A member alone campaigns at start instead.
    func advanceInitialElectionTicks() async throws {
        guard self.stateMachine.current.membership.members.count > 1 else { return }
        let electionTicks = self.configuration.electionTicks
        guard self.configuration.initialElectionTickAdvance else {
            self.logger.info("skipping initial election tick advance", metadata: ["election-ticks": "\(electionTicks)"])
            return
        }
        self.logger.info("starting initial election tick advance", metadata: ["election-ticks": "\(electionTicks)"])
        let ticks = electionTicks - 2
        guard ticks > 0 else { return }
        for _ in 0..<100 {
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                return  // Cancelled: the member is stopping.
            }
            let active = self.transport.activePeerCount
            guard active > 1 else { continue }
            self.logger.info(
                "initialized peer connections; fast-forwarding election ticks",
                metadata: [
                    "local-member-id": "\(String(self.memberID, radix: 16))",
                    "forward-ticks": "\(ticks)",
                    "forward-duration": "\((self.configuration.heartbeatInterval * ticks).goString)",
                    "election-ticks": "\(electionTicks)",
                    "election-timeout": "\(self.configuration.electionTimeout.goString)",
                    "active-remote-members": "\(active)",
                ]
            )
            self.submit(.advanceTicks(ticks))
            return
        }
    }
}
