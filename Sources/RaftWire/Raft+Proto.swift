import EtcdProto
import Foundation
import Raft

/// Conversions between the Raft module's values and their encoded form in `memberpb`, shared by the WAL
/// (entries, hard state, snapshot metadata on disk) and the peer transport (messages on the wire).
extension Raft.Message {
    /// The message as sent between members.
    public var proto: Memberpb_Message {
        var message = Memberpb_Message()
        message.type = Memberpb_MessageType(rawValue: Int(self.type.rawValue)) ?? .msgHup
        message.to = self.to
        message.from = self.from
        message.term = self.term
        message.logTerm = self.logTerm
        message.index = self.index
        message.entries = self.entries.map(\.proto)
        message.commit = self.commit
        if let snapshot = self.snapshot { message.snapshot = snapshot.proto }
        message.reject = self.reject
        message.rejectHint = self.rejectHint
        message.context = Data(self.context)
        return message
    }

    /// A message received from a member; nil if its type, or the kind of one of its entries, is unknown to
    /// this version.
    public init?(proto: Memberpb_Message) {
        guard (0...Int(UInt8.max)).contains(proto.type.rawValue),
            let type = MessageType(rawValue: UInt8(proto.type.rawValue))
        else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(proto.entries.count)
        for entry in proto.entries {
            guard let decoded = Entry(proto: entry) else { return nil }
            entries.append(decoded)
        }
        self.init(
            type: type,
            to: proto.to,
            from: proto.from,
            term: proto.term,
            logTerm: proto.logTerm,
            index: proto.index,
            entries: entries,
            commit: proto.commit,
            snapshot: proto.hasSnapshot ? Snapshot(proto: proto.snapshot) : nil,
            reject: proto.reject,
            rejectHint: proto.rejectHint,
            context: [UInt8](proto.context)
        )
    }
}

extension Entry {
    /// The entry's wire and log form.
    public var proto: Memberpb_Entry {
        var entry = Memberpb_Entry()
        entry.term = self.term
        entry.index = self.index
        entry.type = self.kind == .confChange ? .entryConfChange : .entryNormal
        entry.data = Data(self.data)
        return entry
    }

    /// An entry from its wire or log form; nil if its kind is unknown to this version.
    public init?(proto: Memberpb_Entry) {
        let kind: Kind
        switch proto.type {
        case .entryNormal: kind = .normal
        case .entryConfChange: kind = .confChange
        case .UNRECOGNIZED: return nil
        }
        self.init(term: proto.term, index: proto.index, kind: kind, data: [UInt8](proto.data))
    }
}

extension Snapshot {
    /// The snapshot's wire form.
    public var proto: Memberpb_Snapshot {
        var snapshot = Memberpb_Snapshot()
        snapshot.metadata = self.metadata.proto
        snapshot.data = Data(self.data)
        return snapshot
    }

    /// A snapshot from its wire form.
    public init(proto: Memberpb_Snapshot) {
        self.init(metadata: SnapshotMetadata(proto: proto.metadata), data: [UInt8](proto.data))
    }
}

extension SnapshotMetadata {
    /// The metadata's wire form.
    public var proto: Memberpb_SnapshotMetadata {
        var metadata = Memberpb_SnapshotMetadata()
        metadata.index = self.index
        metadata.term = self.term
        metadata.confState = self.confState.proto
        return metadata
    }

    /// Metadata from its wire form.
    public init(proto: Memberpb_SnapshotMetadata) {
        self.init(index: proto.index, term: proto.term, confState: ConfState(proto: proto.confState))
    }
}

extension ConfState {
    /// The configuration's wire form.
    public var proto: Memberpb_ConfState {
        var state = Memberpb_ConfState()
        state.voters = self.voters
        state.learners = self.learners
        return state
    }

    /// A configuration from its wire form.
    public init(proto: Memberpb_ConfState) {
        self.init(voters: proto.voters, learners: proto.learners)
    }
}

extension HardState {
    /// The hard state's log form.
    public var proto: Memberpb_HardState {
        var state = Memberpb_HardState()
        state.term = self.term
        state.vote = self.vote
        state.commit = self.commit
        return state
    }

    /// A hard state from its log form.
    public init(proto: Memberpb_HardState) {
        self.init(term: proto.term, vote: proto.vote, commit: proto.commit)
    }
}
