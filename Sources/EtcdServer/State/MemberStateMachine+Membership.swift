import EtcdProto
import Membership
import Raft

extension MemberStateMachine {
    /// Applies a committed membership change: validated again (the cluster may have changed since it was
    /// proposed), recorded in the backend, and returned for Raft; a refused change is applied as nothing.
    func applyConfChange(_ entry: Entry) -> ConfChange? {
        let change: ConfChange
        do {
            change = try ConfChange(decoding: entry.data)
        } catch {
            preconditionFailure("undecodable membership change at index \(entry.index): \(error)")
        }
        let result: ApplyResult
        var accepted: ConfChange?
        var removedSelf = false
        do {
            let membershipChange = try self.membershipChange(for: change)
            try self.membership.validate(membershipChange)
            var after = self.membership
            after.apply(membershipChange)
            do {
                try self.stores.backend.writer.apply(try self.stores.membership.writes(for: membershipChange, after: after))
            } catch {
                self.stop(because: "cannot record membership change \(membershipChange) at index \(entry.index): \(error)")
            }
            self.membership = after
            self.publish()
            self.logger.info(
                "applied a membership change",
                metadata: ["change": "\(membershipChange)", "member": "\(String(change.nodeID, radix: 16))"]
            )
            if case .remove(let id) = membershipChange, id == self.memberID { removedSelf = true }
            accepted = change
            result = .membership(self.membership.sortedMembers.map(\.apiMember))
        } catch let error as EtcdError {
            result = .failure(error)
        } catch {
            result = .failure(EtcdError(.internalError, "etcdserver: \(error)"))
        }
        self.proposals.complete(change.id, with: result)
        // Signalled once the change's own caller has its answer: the removed member fails what still waits.
        if removedSelf { self.events.removedFromCluster() }
        return accepted
    }

    /// The membership meaning of a Raft change: adding a voter that is a learner promotes it.
    private func membershipChange(for change: ConfChange) throws -> MembershipChange {
        switch change.kind {
        case .remove:
            return .remove(id: change.nodeID)
        case .addVoter where self.membership.members[change.nodeID]?.isLearner == true:
            return .promote(id: change.nodeID)
        case .addVoter, .addLearner:
            var member = Member(record: try Memberpb_MemberRecord(serializedBytes: change.context))
            member.id = change.nodeID
            member.isLearner = change.kind == .addLearner
            return .add(member)
        case .update:
            let record = try Memberpb_MemberRecord(serializedBytes: change.context)
            return .update(id: change.nodeID, peerURLs: record.peerUrls)
        }
    }
}
