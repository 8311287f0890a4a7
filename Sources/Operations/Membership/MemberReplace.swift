import EtcdClient
import EtcdProto
import Foundation
import WAL

/// etcd-ops member replace: the safe runbook for replacing one member as a single resumable command.
/// Each round looks at the cluster (member list, every member's health, the leader), picks the one step
/// that moves the replacement on (``ReplacementState``) and takes it: preflight checks, an optional
/// backup, an unreachable old member removed first, leadership moved off the old member, the new member
/// added as a learner, its environment printed, its start and catch-up awaited, its promotion, the old
/// member's removal, and a final health check. One change at a time, and never one that leaves the
/// cluster without quorum; a run stopped anywhere and started again finds where it stood.
public enum MemberReplace {
    /// More rounds than any replacement takes: past this the cluster is changing under the tool.
    private static let maximumRounds = 24
    /// etcd's answers to a membership change that mean "not now" (no quorum of connected peers yet, an
    /// election, a proposal that timed out): the round is looked at again until the wait timeout.
    private static let transientErrors = [
        "etcdserver: unhealthy cluster", "etcdserver: leader changed", "etcdserver: no leader",
        "etcdserver: request timed out", "etcdserver: not enough started members",
    ]

    /// Whether an error's text is one of etcd's "not now" answers.
    private static func isTransient(_ message: String) -> Bool {
        self.transientErrors.contains(where: message.contains)
    }

    /// Reached after every step that may change the cluster and once the new member's environment is out:
    /// the replacement tests' child process aborts a run there to prove that the next run resumes.
    public static let stepTaken = CrashPoint("memberReplaceStep")

    /// Replaces `request.old` by the new member, telling `report` each step as a line.
    public static func run(_ request: ReplacementRequest, settings: ClientSettings, options: ReplacementOptions, report: (String) -> Void) async throws(OpsError) {
        var journal = try ReplacementJournal.load(options.journalPath, for: request)
        var endpoints = settings.endpoints
        var printedEnvironment = false
        var lastNotice = ""
        var rounds = 0
        let patience = ContinuousClock.now + options.waitTimeout
        func notice(_ line: String) {
            if line != lastNotice { report(line) }
            lastNotice = line
        }
        while rounds < Self.maximumRounds {
            rounds += 1
            let view = try await ClusterView.observe(settings: settings, endpoints: endpoints)
            endpoints = Self.union(settings.endpoints, view.members.filter { !$0.isLearner }.flatMap(\.clientUrls))
            let oldID: UInt64
            if let journal {
                oldID = journal.oldID
            } else {
                if let found = try Self.resolve(request.old, members: view.members, newPeerURL: request.newPeerURL) {
                    oldID = found
                } else {
                    oldID = try Self.alreadyReplaced(request, members: view.members)
                }
            }
            let state = ReplacementState(members: view.members, oldID: oldID, newPeerURL: request.newPeerURL, leaderID: view.leaderID,
                                         healthyIDs: view.healthyIDs, problems: view.problems)
            if state.new == nil {
                notice(try state.preflight())
            }
            let step = try state.next
            if journal == nil, step != .verify {
                try Self.checkNewMember(request, state: state)
                let started = ReplacementJournal(request: request, oldID: oldID, oldName: state.old?.name ?? request.old)
                try started.save(options.journalPath)
                journal = started
            }
            if let directory = options.backupDirectory, var taken = journal, !taken.backupTaken {
                var backupSettings = settings
                backupSettings.endpoints = endpoints
                let outcome = try await BackupRun.run(BackupOptions(directory: directory), settings: backupSettings)
                report("Backed up revision \(outcome.manifest.revision) to \(outcome.path)")
                taken.backupTaken = true
                try taken.save(options.journalPath)
                journal = taken
            }
            let client = try settings.client(endpoints: endpoints)
            defer { Task { await client.close() } }
            do throws(OpsError) {
                try await Self.take(step, state: state, view: view, request: request, client: client, settings: settings,
                                    endpoints: endpoints, options: options, printedEnvironment: &printedEnvironment, report: report)
            } catch where Self.isTransient(error.message) && ContinuousClock.now < patience {
                notice("Waiting: \(error.message)")
                rounds -= 1
                try await Self.pause(.seconds(1))
                continue
            }
            if step != .verify {
                Self.stepTaken.reach()
            } else {
                try ReplacementJournal.remove(options.journalPath)
                let new = state.new.map(ReplacementState.describe) ?? request.newName
                report("Replaced \(journal?.oldName ?? request.old) with \(new): \(view.members.count) members, all healthy")
                return
            }
        }
        throw OpsError(.failed, "the replacement did not settle in \(Self.maximumRounds) steps: the cluster keeps changing; run again once it is stable")
    }

    /// Takes one step; each changes the cluster at most once.
    private static func take(_ step: ReplacementStep, state: ReplacementState, view: ClusterView, request: ReplacementRequest, client: EtcdClient,
                             settings: ClientSettings, endpoints: [String], options: ReplacementOptions, printedEnvironment: inout Bool,
                             report: (String) -> Void) async throws(OpsError) {
        switch step {
        case .removeOld(let unreachable):
            guard let old = state.old else { return }
            try await Self.call("removing \(ReplacementState.describe(old))") { () throws(EtcdError) in
                _ = try await client.memberRemove(old.id)
            }
            report("Removed \(unreachable ? "unreachable " : "")member \(ReplacementState.describe(old))")
        case .moveLeadership(let target):
            guard let old = state.old else { return }
            let leader = try settings.client(endpoints: old.clientUrls)
            defer { Task { await leader.close() } }
            try await Self.call("moving leadership off \(ReplacementState.describe(old))") { () throws(EtcdError) in
                _ = try await leader.moveLeader(to: target)
            }
            let name = view.members.first { $0.id == target }.map(ReplacementState.describe) ?? String(target, radix: 16)
            report("Moved leadership from \(ReplacementState.describe(old)) to \(name)")
        case .addLearner:
            let added = try await Self.call("adding \(request.newName) as a learner") { () throws(EtcdError) in
                try await client.memberAdd(peerURLs: [request.newPeerURL], isLearner: true)
            }
            report("Added learner \(request.newName) (\(String(added.member.id, radix: 16))) with peer URL \(request.newPeerURL)")
        case .promote(let learnerID):
            try await Self.awaitAndPromote(learnerID, request: request, client: client, options: options,
                                           printedEnvironment: &printedEnvironment, report: report)
        case .verify:
            try await Self.awaitHealthy(settings: settings, endpoints: endpoints, timeout: options.waitTimeout)
        }
    }

    /// The id of the member `old` names: a member's name (not the new member's), else a hex id; nil when
    /// no member has that name or id.
    static func resolve(_ old: String, members: [Etcdserverpb_Member], newPeerURL: String) throws(OpsError) -> UInt64? {
        let named = members.filter { $0.name == old && !$0.peerUrls.contains(newPeerURL) }
        if named.count > 1 {
            throw OpsError(.usage, "\(named.count) members are named \(old); give the id of the one to replace")
        }
        if let member = named.first { return member.id }
        if let id = UInt64(old, radix: 16), members.contains(where: { $0.id == id }) { return id }
        return nil
    }

    /// For an old member the cluster does not have: 0 (no member's id) when the new member already votes,
    /// so that the run only verifies a replacement done before (its journal is gone once it is done).
    /// Otherwise the old member is unknown, and nothing is changed.
    private static func alreadyReplaced(_ request: ReplacementRequest, members: [Etcdserverpb_Member]) throws(OpsError) -> UInt64 {
        if members.contains(where: { $0.peerUrls.contains(request.newPeerURL) && !$0.isLearner && $0.name == request.newName }) {
            return 0
        }
        let known = members.map(ReplacementState.describe).joined(separator: ", ")
        throw OpsError(.usage, "member \(request.old) is not in the cluster (members: \(known))")
    }

    /// Refuses a new member whose name another member already has, or whose peer URL the old one uses.
    private static func checkNewMember(_ request: ReplacementRequest, state: ReplacementState) throws(OpsError) {
        if let clash = state.members.first(where: { $0.name == request.newName && $0.id != state.oldID && !$0.peerUrls.contains(request.newPeerURL) }) {
            throw OpsError(.usage, "\(ReplacementState.describe(clash)) already has the name \(request.newName)")
        }
        if let old = state.old, old.peerUrls.contains(request.newPeerURL) {
            throw OpsError(.usage, "the new peer URL \(request.newPeerURL) is the old member's; a replacement needs its own")
        }
    }

    /// Prints the learner's environment until it has started, then promotes it as soon as etcd agrees it
    /// has caught up (etcd refuses while the learner is behind the leader). The members are listed
    /// linearizably (etcd 3.5; 3.4 answers from the member asked), so a learner that has published itself
    /// is seen as started by whichever member answers.
    private static func awaitAndPromote(_ learnerID: UInt64, request: ReplacementRequest, client: EtcdClient, options: ReplacementOptions,
                                        printedEnvironment: inout Bool, report: (String) -> Void) async throws(OpsError) {
        let deadline = ContinuousClock.now + options.waitTimeout
        var announced = false
        while true {
            let members: [Etcdserverpb_Member]
            do throws(OpsError) {
                members = try await Self.call("listing members") { () throws(EtcdError) in
                    try await client.memberList(linearizable: true).members
                }
            } catch where Self.isTransient(error.message) && ContinuousClock.now < deadline {
                try await Self.pause(options.pollInterval)
                continue
            }
            guard let learner = members.first(where: { $0.id == learnerID }) else {
                throw OpsError(.failed, "learner \(String(learnerID, radix: 16)) left the cluster while it was awaited")
            }
            guard learner.isLearner else { return }
            if learner.name.isEmpty {
                if !printedEnvironment {
                    try Self.publish(JoinEnvironment(members: members, newID: learnerID, request: request), options: options, report: report)
                    printedEnvironment = true
                }
            } else {
                if !announced {
                    report("Learner \(ReplacementState.describe(learner)) has started; promoting it once it has caught up")
                    announced = true
                }
                do {
                    _ = try await client.memberPromote(learnerID)
                    report("Promoted \(ReplacementState.describe(learner)) to a voting member")
                    return
                } catch where error.message.contains("in sync with leader") {
                } catch {
                    throw OpsError(.failed, "promoting \(ReplacementState.describe(learner)) failed: \(error.message)")
                }
            }
            guard ContinuousClock.now < deadline else {
                let what = learner.name.isEmpty ? "started" : "caught up"
                throw OpsError(.failed, "\(ReplacementState.describe(learner)) has not \(what) within \(options.waitTimeout); start it with the environment printed above and run this command again")
            }
            try await Self.pause(options.pollInterval)
        }
    }

    /// Prints the new member's environment and writes it to the environment file, if one was asked for.
    private static func publish(_ environment: JoinEnvironment, options: ReplacementOptions, report: (String) -> Void) throws(OpsError) {
        report("Start the new member with:")
        for line in environment.quotedLines { report(line) }
        if let path = options.environmentFile {
            try FileOutput.writeAtomically(Data(environment.file.utf8), to: path)
            report("Wrote its environment to \(path)")
        }
        Self.stepTaken.reach()
    }

    /// Waits until every member answers healthy and none is a learner.
    private static func awaitHealthy(settings: ClientSettings, endpoints: [String], timeout: Duration) async throws(OpsError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let view = try await ClusterView.observe(settings: settings, endpoints: endpoints)
            let sick = view.members.filter { $0.isLearner || !view.healthyIDs.contains($0.id) }
            if sick.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                let named = sick.map { "\(ReplacementState.describe($0)) (\(view.problems[$0.id] ?? "learner"))" }
                throw OpsError(.failed, "the cluster is not healthy \(timeout) after the replacement: \(named.joined(separator: ", "))")
            }
            try await Self.pause(.seconds(1))
        }
    }

    private static func call<T>(_ what: String, _ body: () async throws(EtcdError) -> T) async throws(OpsError) -> T {
        do {
            return try await body()
        } catch {
            throw OpsError(.failed, "\(what) failed: \(error.message)")
        }
    }

    private static func pause(_ duration: Duration) async throws(OpsError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw OpsError(.failed, "interrupted")
        }
    }

    private static func union(_ first: [String], _ second: [String]) -> [String] {
        var seen = Set<String>()
        return (first + second).filter { seen.insert($0).inserted }
    }
}
