/// What `etcd-ops member replace` is asked to do: which member goes, and the name and URLs of the one
/// that takes its place, plus where to keep its progress and what to write on the way.
public struct ReplacementRequest: Sendable, Codable, Equatable {
    /// The member to replace: its name, or its id in hex.
    public var old: String
    public var newName: String
    public var newPeerURL: String
    /// The client URL the new member will advertise, for its environment; optional.
    public var newClientURL: String?

    public init(old: String, newName: String, newPeerURL: String, newClientURL: String? = nil) {
        self.old = old
        self.newName = newName
        self.newPeerURL = newPeerURL
        self.newClientURL = newClientURL
    }
}

/// How a replacement runs: files it writes and how long it waits.
public struct ReplacementOptions: Sendable {
    /// Where the progress of the replacement is kept between runs (removed when it is done).
    public var journalPath: String
    /// Where the new member's `ETCD_*` environment is written (atomically), besides standard output.
    public var environmentFile: String?
    /// A backup is taken into this directory before the first change, when set.
    public var backupDirectory: String?
    /// How long to wait for the new member to start and catch up, and for the cluster to be healthy.
    public var waitTimeout: Duration = .seconds(600)
    /// Between two looks at a learner that has not started or caught up yet.
    public var pollInterval: Duration = .milliseconds(500)

    public init(journalPath: String) {
        self.journalPath = journalPath
    }
}
