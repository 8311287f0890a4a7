import EtcdProto

/// Where a replacement stands, read from the cluster as it is now, and the one step that moves it on.
/// Pure: ``MemberReplace`` gathers the facts, asks for the step, takes it and looks again, so a run that
/// was interrupted anywhere finds its place by looking.
public struct ReplacementState: Sendable {
    public var members: [Etcdserverpb_Member]
    /// The member being replaced, by id (nil when it is not known: then it must have been removed).
    public var oldID: UInt64
    public var newPeerURL: String
    /// The leader's id, 0 when no member reported one.
    public var leaderID: UInt64
    /// Members whose client URL answered a health check (a linearizable read, no alarm).
    public var healthyIDs: Set<UInt64>
    /// Why members are not healthy, by id, for messages.
    public var problems: [UInt64: String]

    public init(members: [Etcdserverpb_Member], oldID: UInt64, newPeerURL: String, leaderID: UInt64, healthyIDs: Set<UInt64>, problems: [UInt64: String] = [:]) {
        self.members = members
        self.oldID = oldID
        self.newPeerURL = newPeerURL
        self.leaderID = leaderID
        self.healthyIDs = healthyIDs
        self.problems = problems
    }

    /// The old member, while it is in the cluster.
    public var old: Etcdserverpb_Member? { self.members.first { $0.id == self.oldID } }

    /// The new member, once added: the one with the new peer URL.
    public var new: Etcdserverpb_Member? { self.members.first { $0.peerUrls.contains(self.newPeerURL) } }

    /// The step to take next.
    public var next: ReplacementStep {
        get throws(OpsError) {
            let old = self.old
            guard let new = self.new else {
                if let old, !self.healthyIDs.contains(old.id) { return .removeOld(unreachable: true) }
                if let old, old.id == self.leaderID { return .moveLeadership(to: try self.leadershipTarget()) }
                return .addLearner
            }
            if new.isLearner { return .promote(new.id) }
            guard let old else { return .verify }
            if old.id == self.leaderID { return .moveLeadership(to: try self.leadershipTarget()) }
            return .removeOld(unreachable: !self.healthyIDs.contains(old.id))
        }
    }

    /// Checks made before the first change: every member but the old one healthy, no learner, quorum
    /// without the old member. Returns a line that says what was found.
    public func preflight() throws(OpsError) -> String {
        let others = self.members.filter { $0.id != self.oldID }
        let unhealthy = others.filter { !self.healthyIDs.contains($0.id) }
        guard unhealthy.isEmpty else {
            let named = unhealthy.map { "\(Self.describe($0)) (\(self.problems[$0.id] ?? "no answer"))" }
            throw OpsError(.failed, "not replacing: \(named.joined(separator: ", ")) \(unhealthy.count == 1 ? "is" : "are") not healthy; one member is replaced at a time")
        }
        if let learner = self.members.first(where: \.isLearner) {
            throw OpsError(.failed, "not replacing: the cluster already has a learner, \(Self.describe(learner)); promote or remove it first")
        }
        let voters = self.members.count
        let quorum = voters / 2 + 1
        let healthyOthers = others.count
        let oldHealthy = self.old.map { self.healthyIDs.contains($0.id) } ?? false
        if self.old != nil, !oldHealthy, healthyOthers < quorum {
            throw OpsError(.failed, "not replacing: without \(self.old.map(Self.describe) ?? "the old member") only \(healthyOthers) of \(voters) voting members are healthy, under the quorum of \(quorum)")
        }
        let oldState = self.old == nil ? "already removed" : oldHealthy ? "healthy" : "unreachable, removed first"
        return "Preflight: \(healthyOthers) other member\(healthyOthers == 1 ? "" : "s") healthy, no learner, no alarm; quorum \(quorum) of \(voters) voting members; \(self.old.map(Self.describe) ?? "the old member") \(oldState)"
    }

    /// `name (id)` of a member, `(id)` before it has started.
    public static func describe(_ member: Etcdserverpb_Member) -> String {
        member.name.isEmpty ? "unstarted member \(String(member.id, radix: 16))" : "\(member.name) (\(String(member.id, radix: 16)))"
    }

    /// The voting member to hand leadership to: the new one when it votes, else the healthy voter with
    /// the lowest id, never the old one.
    private func leadershipTarget() throws(OpsError) -> UInt64 {
        let candidates = self.members.filter { !$0.isLearner && $0.id != self.oldID && self.healthyIDs.contains($0.id) }
        if let new = self.new, candidates.contains(where: { $0.id == new.id }) { return new.id }
        guard let target = candidates.min(by: { $0.id < $1.id }) else {
            throw OpsError(.failed, "no healthy voting member to take over leadership from \(self.old.map(Self.describe) ?? "the old member")")
        }
        return target.id
    }
}

/// One step of a replacement; each changes the cluster at most once.
public enum ReplacementStep: Sendable, Equatable {
    /// Remove the old member: first, when it is unreachable (etcd's FAQ: remove a dead member before adding
    /// its replacement); last, once the new member votes.
    case removeOld(unreachable: Bool)
    /// Hand leadership from the old member to this one.
    case moveLeadership(to: UInt64)
    /// Add the new member as a learner.
    case addLearner
    /// Wait until the learner has started and caught up, and promote it.
    case promote(UInt64)
    /// Check that the cluster, with the new member and without the old, is healthy.
    case verify
}
