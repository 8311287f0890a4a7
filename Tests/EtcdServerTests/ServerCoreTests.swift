@_spi(Testing) import EtcdServer
import Backend
import EtcdProto
import Membership
import MVCC
import Raft
import Testing

/// Pieces of the server core a process test reaches too coarsely: the registry proposals wait in, what
/// an error met while applying does to the member, and the configuration a follower's Raft takes on
/// after installing a leader's snapshot.
@Suite struct WaitRegistryTests {
    @Test func waitersGetTheirResultsErrorsAndTimeouts() async throws {
        let registry = WaitRegistry<String>()
        let completed = Task { try await registry.wait(for: 1, deadline: .now + .seconds(60)) {} }
        let failed = Task { try await registry.wait(for: 2, deadline: .now + .seconds(60)) {} }
        let expired = Task { try await registry.wait(for: 3, deadline: .now - .seconds(1)) {} }
        while registry.count < 3 { try await Task.sleep(for: .milliseconds(1)) }
        registry.complete(1, with: "applied")
        registry.fail(2, with: EtcdError.noSpace)
        registry.expire(before: .now, with: EtcdError.timeout)
        registry.complete(99, with: "another member's proposal")
        #expect(try await completed.value == "applied")
        await #expect(throws: EtcdError.noSpace) { try await failed.value }
        await #expect(throws: EtcdError.timeout) { try await expired.value }
        #expect(registry.count == 0)
    }

    @Test func aCancelledWaiterLeavesWithCancellationError() async throws {
        let registry = WaitRegistry<Int>()
        let waiting = Task { try await registry.wait(for: 4, deadline: .now + .seconds(60)) {} }
        while registry.count < 1 { try await Task.sleep(for: .milliseconds(1)) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(registry.count == 0)
        registry.complete(4, with: 1)

        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await registry.wait(for: 6, deadline: .now + .seconds(60)) { Issue.record("registered although cancelled") }
        }
        await #expect(throws: CancellationError.self) { try await cancelledFirst.value }
        #expect(registry.count == 0)
    }

    @Test func afterFailAllNewWaitsFailAtOnce() async throws {
        let registry = WaitRegistry<Int>()
        registry.failAll(with: EtcdError.stopped)
        await #expect(throws: EtcdError.stopped) {
            try await registry.wait(for: 5, deadline: .now + .seconds(60)) { Issue.record("registered after the stop") }
        }
    }

    @Test func aSecondWaiterForOneRequestIDStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            let registry = WaitRegistry<Int>()
            Task { _ = try await registry.wait(for: 7, deadline: .now + .seconds(60)) {} }
            while registry.count == 0 { try? await Task.sleep(for: .milliseconds(1)) }
            // Were the duplicate taken, this would end both waits a second later and the process exit 0.
            Task {
                try? await Task.sleep(for: .seconds(1))
                registry.failAll(with: CancellationError())
            }
            _ = try? await registry.wait(for: 7, deadline: .now + .seconds(60)) {}
        }
    }
}

@Suite struct ApplyFailureTests {
    @Test func refusalsEveryMemberSharesGoToTheProposer() {
        #expect(ApplyFailure.classify(KVError.compacted) == .refused(.compacted))
        #expect(ApplyFailure.classify(KVError.leaseNotFound) == .refused(EtcdError(KVError.leaseNotFound)))
        #expect(ApplyFailure.classify(EtcdError.memberExists) == .refused(.memberExists))
    }

    @Test func aMembersOwnFailureStopsIt() {
        let failures: [any Error] = [
            KVError.backend(.mapFull), KVError.backend(.readersFull), KVError.backend(.closed), KVError.closed, CancellationError(),
        ]
        for error in failures {
            guard case .fatal = ApplyFailure.classify(error) else {
                Issue.record("\(error) must stop the member")
                continue
            }
        }
    }
}

@Suite struct ConfigurationCatchUpTests {
    private func membership(voters: [UInt64], learners: [UInt64] = []) -> ClusterMembership {
        let members = voters.map { Member(id: $0, peerURLs: ["http://127.0.0.1:\($0)"], isLearner: false) }
            + learners.map { Member(id: $0, peerURLs: ["http://127.0.0.1:\($0)"], isLearner: true) }
        return ClusterMembership(clusterID: 1, members: members, removed: [])
    }

    @Test func membersAddedAndPromotedAfterTheSnapshotReachRaft() {
        let snapshot = ConfState(voters: [1, 2, 3], learners: [4])
        let changes = ConfigurationCatchUp.changes(from: snapshot, to: self.membership(voters: [1, 2, 3, 4, 5]))
        #expect(changes.map(\.kind) == [.addVoter, .addVoter])
        #expect(changes.map(\.nodeID) == [4, 5])
    }

    @Test func additionsComeBeforeRemovalsSoVotersNeverRunOut() {
        let changes = ConfigurationCatchUp.changes(from: ConfState(voters: [1]), to: self.membership(voters: [2], learners: [3]))
        #expect(changes == [ConfChange(kind: .addVoter, nodeID: 2), ConfChange(kind: .addLearner, nodeID: 3), ConfChange(kind: .remove, nodeID: 1)])
        #expect(ConfigurationCatchUp.changes(from: ConfState(voters: [1, 2]), to: self.membership(voters: [1, 2])).isEmpty)
    }
}
