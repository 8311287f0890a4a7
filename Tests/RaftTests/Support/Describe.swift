import Raft

/// Text forms of Raft values for transcripts and failure messages: one line each, no blank lines.
enum Describe {
    static func ids(_ ids: [NodeID]) -> String {
        "(" + ids.map(String.init).joined(separator: " ") + ")"
    }

    static func confState(_ state: ConfState) -> String {
        "voters=\(self.ids(state.voters)) learners=\(self.ids(state.learners))"
    }

    static func bytes(_ data: [UInt8]) -> String {
        let printable = data.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") }
        if printable { return "\"" + String(decoding: data, as: UTF8.self) + "\"" }
        return "0x" + data.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func entry(_ entry: Entry) -> String {
        let position = "\(entry.term)/\(entry.index)"
        switch entry.kind {
        case .normal:
            return "\(position) \(self.bytes(entry.data))"
        case .confChange:
            guard let change = try? ConfChange(decoding: entry.data) else {
                return "\(position) confChange <undecodable>"
            }
            return "\(position) confChange \(self.confChange(change))"
        }
    }

    static func confChange(_ change: ConfChange) -> String {
        "\(change.kind) \(change.nodeID)"
    }

    static func snapshot(_ snapshot: Snapshot) -> String {
        "index=\(snapshot.metadata.index) term=\(snapshot.metadata.term) \(self.confState(snapshot.metadata.confState))"
    }

    static func message(_ message: Message) -> String {
        var text = "\(message.from)->\(message.to) \(message.type) term=\(message.term)"
        if message.logTerm != 0 || message.index != 0 {
            text += " log=\(message.logTerm)/\(message.index)"
        }
        if message.commit != 0 { text += " commit=\(message.commit)" }
        if message.reject {
            text += message.type == .appendResponse ? " rejected hint=\(message.rejectHint)" : " rejected"
        }
        if !message.entries.isEmpty {
            text += " entries=[" + message.entries.map(self.entry).joined(separator: ", ") + "]"
        }
        if let snapshot = message.snapshot { text += " snapshot=(\(self.snapshot(snapshot)))" }
        if !message.context.isEmpty { text += " context=\(self.bytes(message.context))" }
        return text
    }

    static func hardState(_ state: HardState) -> String {
        "term=\(state.term) vote=\(state.vote) commit=\(state.commit)"
    }

    static func ready(_ ready: Ready) -> [String] {
        var lines = ["Ready mustSync=\(ready.mustSync):"]
        if let soft = ready.softState { lines.append("SoftState leader=\(soft.leader) role=\(soft.role)") }
        if let hard = ready.hardState { lines.append("HardState \(self.hardState(hard))") }
        if let snapshot = ready.snapshot { lines.append("Snapshot \(self.snapshot(snapshot))") }
        self.section("Entries:", ready.entries.map(self.entry), into: &lines)
        self.section("CommittedEntries:", ready.committedEntries.map(self.entry), into: &lines)
        self.section("Messages:", ready.messages.map(self.message), into: &lines)
        self.section("MessagesAfterPersist:", ready.messagesAfterPersist.map(self.message), into: &lines)
        self.section("ReadStates:", ready.readStates.map { "index=\($0.index) context=\(self.bytes($0.context))" },
                     into: &lines)
        return lines
    }

    private static func section(_ title: String, _ items: [String], into lines: inout [String]) {
        guard !items.isEmpty else { return }
        lines.append(title)
        lines.append(contentsOf: items.map { "  " + $0 })
    }

    static func basicStatus(_ status: BasicStatus) -> String {
        "id=\(status.id) \(self.hardState(status.hardState)) applied=\(status.applied) "
            + "leader=\(status.softState.leader) role=\(status.softState.role)"
            + (status.leadTransferee != .none ? " transferee=\(status.leadTransferee)" : "")
    }

    static func progress(_ id: NodeID, _ progress: ProgressStatus) -> String {
        var text = "\(id): \(progress.state) match=\(progress.match) next=\(progress.next)"
        if progress.isLearner { text += " learner" }
        if progress.isPaused { text += " paused" }
        if progress.pendingSnapshot > 0 { text += " pendingSnapshot=\(progress.pendingSnapshot)" }
        if !progress.recentActive { text += " inactive" }
        if progress.inflightMessages > 0 { text += " inflight=\(progress.inflightMessages)" }
        return text
    }
}
