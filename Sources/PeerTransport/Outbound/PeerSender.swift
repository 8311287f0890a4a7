import EtcdProto
import Logging
import NIOCore
import Raft
import RaftWire
import Synchronization

/// The outgoing message stream to one peer: a bounded queue that the Raft loop fills without ever
/// blocking, and a task that keeps a connection open (reconnecting with backoff) and drains the queue
/// into it in order.
final class PeerSender: Sendable {
    let peerID: UInt64
    private let addresses: Mutex<[PeerAddress]>
    private let queue: AsyncStream<[Raft.Message]>
    private let continuation: AsyncStream<[Raft.Message]>.Continuation
    private let stopped = Atomic<Bool>(false)

    init(peerID: UInt64, addresses: [PeerAddress], maxQueuedBatches: Int) {
        self.peerID = peerID
        self.addresses = Mutex(addresses)
        (self.queue, self.continuation) = AsyncStream.makeStream(
            of: [Raft.Message].self,
            bufferingPolicy: .bufferingOldest(maxQueuedBatches)
        )
    }

    /// Queues `messages`; false if the queue was full or the sender stopped, and they were dropped.
    func enqueue(_ messages: [Raft.Message]) -> Bool {
        if case .enqueued = self.continuation.yield(messages) { return true }
        return false
    }

    /// The addresses tried in turn.
    var currentAddresses: [PeerAddress] {
        self.addresses.withLock { $0 }
    }

    /// Points the sender at new addresses; the next connection attempt uses them.
    func update(addresses: [PeerAddress]) {
        self.addresses.withLock { $0 = addresses }
    }

    /// Ends the queue; ``run(identity:connector:delegate:logger:)`` returns after the current batch.
    func stop() {
        self.stopped.store(true, ordering: .relaxed)
        self.continuation.finish()
    }

    /// True once ``stop()`` was called.
    var isStopped: Bool { self.stopped.load(ordering: .relaxed) }

    /// Connects, sends, and reconnects until ``stop()`` or cancellation.
    func run(
        identity: PeerIdentity,
        connector: PeerConnector,
        delegate: any PeerTransportDelegate,
        observer: (any PeerTrafficObserver)?,
        logger: Logger
    ) async {
        let hello = identity.hello(.stream, to: self.peerID)
        var batches = self.queue.makeAsyncIterator()
        var backoff = Backoff(initial: connector.configuration.initialReconnectDelay, max: connector.configuration.maxReconnectDelay)
        var attempt = 0
        var finished = false
        while !finished && !Task.isCancelled {
            let candidates = self.addresses.withLock { $0 }
            guard !candidates.isEmpty else { return }
            let address = candidates[attempt % candidates.count]
            attempt += 1
            do {
                let channel = try await connector.connect(to: address)
                try await channel.executeThenClose { inbound, outbound in
                    var replies = inbound.makeAsyncIterator()
                    try await PeerConnector.handshake(hello, inbound: &replies, outbound: outbound)
                    logger.info("established stream to peer", metadata: ["peer": "\(hex(self.peerID))", "address": "\(address)"])
                    observer?.streamChanged(to: self.peerID, active: true)
                    defer { observer?.streamChanged(to: self.peerID, active: false) }
                    backoff.reset()
                    while let batch = await batches.next() {
                        var frames: [ByteBuffer] = []
                        frames.reserveCapacity(batch.count)
                        var bytes = 0
                        for message in batch {
                            let frame = try PeerFrames.encode(message.proto)
                            bytes += frame.readableBytes + PeerFrameEncoder.headerBytes
                            frames.append(frame)
                        }
                        try await outbound.write(contentsOf: frames)
                        observer?.sent(bytes: bytes, to: self.peerID)
                    }
                    finished = true
                }
            } catch let refusal as PeerRefusal where refusal.meansRemoved {
                logger.error("peer says this member was removed from the cluster", metadata: ["peer": "\(hex(self.peerID))"])
                delegate.removedFromCluster()
                return
            } catch {
                delegate.unreachable(self.peerID)
                observer?.sendFailed(to: self.peerID)
                logger.debug(
                    "lost stream to peer",
                    metadata: ["peer": "\(hex(self.peerID))", "address": "\(address)", "error": "\(error)"]
                )
                try? await Task.sleep(for: backoff.next())
            }
        }
    }
}

/// Exponential backoff between reconnection attempts.
struct Backoff {
    private let initial: Duration
    private let max: Duration
    private var current: Duration

    init(initial: Duration, max: Duration) {
        self.initial = initial
        self.max = max
        self.current = initial
    }

    mutating func next() -> Duration {
        defer { self.current = Swift.min(self.current * 2, self.max) }
        return self.current
    }

    mutating func reset() {
        self.current = self.initial
    }
}

func hex(_ id: UInt64) -> String {
    String(id, radix: 16)
}
