import EtcdClient
import EtcdProto
import Foundation
import ProcessTestSupport
import Raft

/// Injects one fault into a running cluster, holds it, heals it, and says what it did. Process and
/// network faults block on `kill`, `waitpid`, `ip` and `iptables`, so they run off Swift's cooperative
/// threads.
struct FaultInjector {
    let cluster: HarnessCluster
    let recorder: HistoryRecorder
    /// How long a process or network fault lasts.
    let hold: Duration

    func inject(_ fault: Fault, random: inout SplitMix64) async throws -> FaultEvent {
        let size = self.cluster.members.count
        let leader = try await self.currentLeader()
        let followers = (0..<size).filter { $0 != leader }
        let follower = followers[random.below(followers.count)]
        let start = self.recorder.now()
        let members: [Int]
        switch fault {
        case .killFollower, .killLeader:
            let member = self.cluster.members[fault == .killLeader ? leader : follower]
            members = [member.index]
            try await offload { member.kill() }
            try await Task.sleep(for: self.hold)
            try await offload { try member.start() }
        case .pauseLeader, .pauseFollower, .pauseMajority:
            switch fault {
            case .pauseLeader: members = [leader]
            case .pauseFollower: members = [follower]
            default: members = Array((0..<size).filter { $0 != follower }.prefix(size / 2 + 1))
            }
            for index in members { self.cluster.members[index].pause() }
            try await Task.sleep(for: self.hold)
            for index in members { self.cluster.members[index].resume() }
        case .isolateLeader, .splitMinority, .bridge, .oneWayDrop, .packetLoss, .delay, .slowLeader:
            let network = self.cluster.network
            let plan: @Sendable () throws -> Void
            switch fault {
            case .isolateLeader:
                members = [leader]
                plan = { try network.partition([[leader], followers]) }
            case .splitMinority:
                let minority = Array(followers.shuffled(using: &random).prefix((size - 1) / 2))
                members = minority
                plan = { try network.partition([minority, (0..<size).filter { !minority.contains($0) }]) }
            case .bridge:
                let sides = (0..<size).filter { $0 != follower }
                let half = sides.count / 2
                members = [follower]
                plan = { try network.partition([Array(sides.prefix(half)), Array(sides.dropFirst(half))]) }
            case .oneWayDrop:
                members = [leader]
                plan = { try network.drop(at: leader, from: followers) }
            case .delay:
                members = Array(0..<size)
                plan = { for index in 0..<size { try network.delay(index, to: Array(0..<size), by: .milliseconds(100), jitter: .milliseconds(50)) } }
            case .slowLeader:
                members = [leader]
                plan = { try network.delay(leader, to: followers, by: .milliseconds(1200), jitter: .milliseconds(200)) }
            default:
                members = Array(0..<size)
                plan = { for index in 0..<size { try network.lose(index, percent: 20) } }
            }
            try await offload(plan)
            try await Task.sleep(for: self.hold)
            try await offload { try network.heal() }
        case .compaction:
            members = [follower]
            let probe = self.cluster.probe(follower)
            try await Self.patiently(retrying: { _ in true }) {
                let revision = try await probe.status(timeout: .seconds(5)).header.revision
                do {
                    _ = try await probe.compact(revision: revision, physical: true, timeout: .seconds(5))
                } catch let error as EtcdError where error == .compacted {
                    // A retried compaction that had already taken effect.
                }
            }
        case .defragmentation:
            members = [follower]
            let probe = self.cluster.probe(follower)
            try await Self.patiently(retrying: { _ in true }) { _ = try await probe.defragment(timeout: .seconds(30)) }
        case .diskFull:
            let member = self.cluster.members[follower]
            members = [follower]
            let filler = "\(member.disk)/filler"
            try await offload { try DiskFiller.fill(with: filler) }
            try await Task.sleep(for: self.hold)
            try await offload {
                try FileManager.default.removeItem(atPath: filler)
                if !member.isRunning { try member.start() }
            }
        case .membershipChange:
            let member = self.cluster.members[follower]
            members = [follower]
            try await self.replace(member, leader: leader)
        }
        return FaultEvent(fault: fault, members: members, start: start, healed: self.recorder.now())
    }

    /// Removes `member` through the leader, wipes it, adds it back (a new member id, the same peer URL)
    /// and starts it to join the cluster.
    private func replace(_ member: HarnessMember, leader: Int) async throws {
        let client = self.cluster.probe(leader)
        let list = try await client.memberList(timeout: .seconds(5)).members
        guard let old = list.first(where: { $0.peerUrls.contains(member.peerURL) }) else {
            throw HarnessError("\(member.name) is not in the member list: \(list.map(\.name))")
        }
        try await Self.patiently(retrying: Self.notNow) { _ = try await client.memberRemove(old.id, timeout: .seconds(5)) }
        try await offload {
            member.kill()
            try member.wipe()
        }
        var added: UInt64 = 0
        try await Self.patiently(retrying: Self.notNow) {
            added = try await client.memberAdd(peerURLs: [member.peerURL], isLearner: false, timeout: .seconds(5)).member.id
        }
        // As an operator would: start the new member once every member lists it in place of the old one
        // (joining, it takes its id from a peer's member list; a peer still listing the old member would
        // hand it the removed id, and the cluster would turn it away).
        let others = self.cluster.members.filter { $0.index != member.index }
        let deadline = ContinuousClock.now + .seconds(15)
        for other in others {
            while true {
                let ids = (try? await self.cluster.probe(other.index).memberList(timeout: .seconds(1)).members.map(\.id)) ?? []
                if ids.contains(added) && !ids.contains(old.id) { break }
                guard ContinuousClock.now < deadline else {
                    throw HarnessError("\(other.name) did not list the new member \(String(added, radix: 16)) in place of \(String(old.id, radix: 16))")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await offload { try member.start(joining: true) }
    }

    /// Repeats a call whose error `retrying` accepts, for up to fifteen seconds: a member just restarted may
    /// not take connections yet, and etcd answers a membership change with "not now" for a while (a member
    /// reconnected less than five seconds ago does not count as started for Go etcd's check).
    private static func patiently(retrying: (EtcdError) -> Bool, _ call: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            do {
                return try await call()
            } catch let error as EtcdError where ContinuousClock.now < deadline && retrying(error) {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// etcd's answers to a membership change that mean "not now".
    private static func notNow(_ error: EtcdError) -> Bool {
        ["unhealthy cluster", "not enough started members", "leader changed", "request timed out", "no leader"].contains(where: error.message.contains)
    }

    /// The member that leads now, waiting up to ten seconds for an election to end.
    private func currentLeader() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let leader = await self.cluster.leader() { return leader }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("no leader for ten seconds:\n\(self.cluster.logTails())")
    }
}
