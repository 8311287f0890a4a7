import Raft

/// The transcript command language. Each command returns the lines it prints; `ok` when it prints nothing.
///
/// | command | effect |
/// |---|---|
/// | `add-nodes N [voters=(1,2,3)] [learners=(4)] [index=I] [OPTION=V...]` | adds members; options: `prevote`, |
/// |   | `checkquorum`, `max-inflight`, `max-msg-bytes`, `max-uncommitted-bytes` |
/// | `campaign ID` | starts an election |
/// | `propose ID DATA` | proposes DATA |
/// | `propose-conf-change ID add-voter\|add-learner\|remove\|update NODE` | proposes a change |
/// | `read-index ID CONTEXT` | asks for a read index |
/// | `transfer-leadership ID TO` | asks (through member ID) to hand leadership to TO |
/// | `process-ready ID...` | handles each member's Ready |
/// | `deliver-msgs ID... [drop=(IDS)]` | steps messages addressed to the IDs, or drops those to the `drop` IDs |
/// | `stabilize [ID...]` | Readies and deliveries until quiet |
/// | `tick ID N`, `tick-heartbeat ID`, `tick-election ID` | advances a member's clock |
/// | `isolate ID`, `recover` | cuts a member off the network (messages to and from it are dropped), heals |
/// | `restart ID` | crash and restart from storage |
/// | `compact ID INDEX` | snapshots at INDEX and discards the log up to it |
/// | `report-unreachable ID PEER`, `report-snapshot ID PEER finished\|failed` | transport feedback |
/// | `status ID`, `raft-log ID` | prints state |
///
/// Any command takes `quiet=true` to print `ok (quiet)` instead of its output, for setup steps.
extension InteractionEnv {
    func handle(_ line: String) throws(HarnessError) -> [String] {
        let command = try Command(line)
        let lines = try self.run(command)
        if try command.boolOption("quiet") == true { return ["ok (quiet)"] }
        return lines.isEmpty ? ["ok"] : lines
    }

    private func run(_ command: Command) throws(HarnessError) -> [String] {
        switch command.name {
        case "add-nodes": return try self.runAddNodes(command)
        case "campaign":
            try self.member(try command.number(0)).node.campaign()
            return []
        case "propose": return try self.runPropose(command)
        case "propose-conf-change": return try self.runProposeConfChange(command)
        case "read-index":
            let node = try self.member(try command.number(0)).node
            let context = Array(try command.string(1).utf8)
            return self.outcome { () throws(RaftError) in try node.readIndex(context: context) }
        case "transfer-leadership":
            try self.member(try command.number(0)).node.transferLeadership(to: try command.number(1))
            return []
        case "process-ready":
            var lines: [String] = []
            for id in try command.nodeIDs() { lines.append(contentsOf: try self.processReady(id)) }
            return lines
        case "deliver-msgs": return try self.runDeliver(command)
        case "stabilize": return try self.stabilize(try command.nodeIDs())
        default: return try self.runMaintenance(command)
        }
    }

    private func runMaintenance(_ command: Command) throws(HarnessError) -> [String] {
        switch command.name {
        case "tick":
            try self.tick(try command.number(0), times: Int(try command.number(1)))
        case "tick-heartbeat":
            let id = try command.number(0)
            try self.tick(id, times: try self.member(id).config.heartbeatTicks)
        case "tick-election":
            try self.tickElection(try command.number(0))
        case "isolate":
            self.isolated.insert(try command.number(0))
        case "recover":
            self.isolated.removeAll()
        case "restart":
            return try self.restart(try command.number(0))
        case "compact":
            return try self.compact(try command.number(0), index: try command.number(1))
        case "report-unreachable":
            try self.member(try command.number(0)).node.reportUnreachable(try command.number(1))
        case "report-snapshot":
            let status: SnapshotStatus = try command.string(2) == "failed" ? .failed : .finished
            try self.member(try command.number(0)).node.reportSnapshot(try command.number(1), status: status)
        case "status":
            return try self.status(try command.number(0))
        case "raft-log":
            return try self.raftLog(try command.number(0))
        default:
            throw HarnessError("unknown command \(command.name)")
        }
        return []
    }

    private func runAddNodes(_ command: Command) throws(HarnessError) -> [String] {
        let count = Int(try command.number(0))
        let voters = try command.listOption("voters") ?? []
        let learners = try command.listOption("learners") ?? []
        let index = try command.numberOption("index") ?? 1
        let preVote = try command.boolOption("prevote")
        let checkQuorum = try command.boolOption("checkquorum")
        let maxInflight = try command.numberOption("max-inflight")
        let maxMessageBytes = try command.numberOption("max-msg-bytes")
        let maxUncommitted = try command.numberOption("max-uncommitted-bytes")
        return try self.addNodes(count, voters: voters, learners: learners, index: index) { config in
            if let preVote { config.preVote = preVote }
            if let checkQuorum { config.checkQuorum = checkQuorum }
            if let maxInflight { config.maxInflightMessages = Int(maxInflight) }
            if let maxMessageBytes { config.maxSizePerMessageBytes = Int(maxMessageBytes) }
            if let maxUncommitted { config.maxUncommittedEntriesBytes = Int(maxUncommitted) }
        }
    }

    private func runPropose(_ command: Command) throws(HarnessError) -> [String] {
        let node = try self.member(try command.number(0)).node
        let data = Array(try command.string(1).utf8)
        return self.outcome { () throws(RaftError) in try node.propose(data) }
    }

    private func runProposeConfChange(_ command: Command) throws(HarnessError) -> [String] {
        let node = try self.member(try command.number(0)).node
        let kind: ConfChange.Kind
        switch try command.string(1) {
        case "add-voter": kind = .addVoter
        case "add-learner": kind = .addLearner
        case "remove": kind = .remove
        case "update": kind = .update
        default: throw HarnessError("unknown conf change kind \(try command.string(1))")
        }
        let change = ConfChange(kind: kind, nodeID: try command.number(2))
        return self.outcome { () throws(RaftError) in try node.proposeConfChange(change) }
    }

    private func runDeliver(_ command: Command) throws(HarnessError) -> [String] {
        var lines: [String] = []
        for id in try command.listOption("drop") ?? [] {
            lines.append(contentsOf: try self.deliver(to: id, drop: true))
        }
        for id in try command.nodeIDs() {
            lines.append(contentsOf: try self.deliver(to: id))
        }
        return lines
    }

    /// Prints a Raft error as output: refusing a request is an outcome scenarios check.
    private func outcome(_ body: () throws(RaftError) -> Void) -> [String] {
        do {
            try body()
            return []
        } catch {
            return ["error: \(error)"]
        }
    }
}
