import TransportSecurity

/// Limits and timers of member-to-member traffic, and its TLS.
public struct PeerTransportConfiguration: Sendable {
    /// The largest frame accepted from a peer; a Raft append is bounded by Raft's max message size and a
    /// snapshot travels in chunks, so anything near this is a broken peer.
    public var maxFrameBytes: Int = 16 * 1024 * 1024
    /// Batches of messages waiting for one peer while its connection is down or slow; when full, new
    /// messages are dropped and Raft is told the peer is unreachable, so it retries later.
    public var maxQueuedBatchesPerPeer: Int = 1_024
    /// How long to wait for a TCP connection and the handshake.
    public var dialTimeout: Duration = .seconds(1)
    /// The first wait before reconnecting to a peer; it doubles up to ``maxReconnectDelay``.
    public var initialReconnectDelay: Duration = .milliseconds(50)
    public var maxReconnectDelay: Duration = .seconds(2)
    /// How often each peer's round-trip time is measured (etcd probes about every 5 seconds).
    public var probeInterval: Duration = .seconds(5)
    /// Bytes of backend per snapshot chunk.
    public var snapshotChunkBytes: Int = 1024 * 1024
    /// TLS for every peer connection, both ways (`https://` peer URLs); nil for plain TCP.
    public var tls: MemberTLS?
    /// Whether the listeners set `SO_REUSEPORT`, so that another process may bind the same port
    /// (`--socket-reuse-port`).
    public var reusePort = false

    /// The defaults.
    public init() {}
}
