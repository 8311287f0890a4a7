import EtcdProto

/// One response of a watch stream, in the order the stream delivers them.
public struct WatchResponse: Sendable, Equatable {
    /// What the response reports.
    public enum Kind: Sendable, Equatable {
        /// The watch `watchID` was created.
        case created
        /// Events of one or more whole revisions, in revision order.
        case events
        /// Progress: every event up to `revision` was delivered (for the stream when `watchID` is
        /// `WatchResponse.streamWatchID`, else for that watch).
        case progress
        /// The watch's start revision was compacted: `compactRevision` is set and the watch ended.
        case compacted
        /// The watch was canceled by its client.
        case canceled
    }

    /// etcd's `InvalidWatchID` (-1): the ID of responses about the whole stream.
    public static let streamWatchID: Int64 = -1

    /// The kind of response.
    public var kind: Kind
    /// The watch it belongs to.
    public var watchID: Int64
    /// The header revision.
    public var revision: Int64
    /// The events (kind `events` only), with `prev_kv` filled for watches that asked for it.
    public var events: [Mvccpb_Event]
    /// The compacted revision (kind `compacted` only).
    public var compactRevision: Int64

    init(kind: Kind, watchID: Int64, revision: Int64, events: [Mvccpb_Event] = [], compactRevision: Int64 = 0) {
        self.kind = kind
        self.watchID = watchID
        self.revision = revision
        self.events = events
        self.compactRevision = compactRevision
    }

    /// The gRPC message etcd sends for this response; the server fills the header's cluster ID,
    /// member ID and Raft term.
    public var message: Etcdserverpb_WatchResponse {
        var message = Etcdserverpb_WatchResponse()
        message.header.revision = revision
        message.watchID = watchID
        message.events = events
        switch kind {
        case .created: message.created = true
        case .compacted:
            message.compactRevision = compactRevision
            message.canceled = true
        case .canceled: message.canceled = true
        case .events, .progress: break
        }
        return message
    }
}
