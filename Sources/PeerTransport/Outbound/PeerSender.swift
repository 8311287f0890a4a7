import EtcdProto
import Logging
import NIOCore
import Raft
import RaftWire
import Synchronization

/// The outgoing message stream to one peer. A task keeps a connection open (reconnecting with
/// backoff); the Raft loop's batches are encoded and written on that connection's event loop, at once
/// when the Raft loop runs on it (the member's transport puts its connections there), else after one
/// hand-off to it. While the connection is down, batches wait in a bounded queue and go out first once
/// it is back. Batches beyond the bound (queued, or written and not yet on the socket) are dropped, and
/// Raft retries them later.
final class PeerSender: Sendable {
    private struct Link {
        var channel: (any Channel)?
        var waiting: [[Raft.Message]] = []
        var inFlight = 0
    }

    let peerID: UInt64
    private let addresses: Mutex<[PeerAddress]>
    private let maxQueuedBatches: Int
    private let observer: (any PeerTrafficObserver)?
    private let link = Mutex(Link())
    private let stopped = Atomic<Bool>(false)

    init(peerID: UInt64, addresses: [PeerAddress], maxQueuedBatches: Int, observer: (any PeerTrafficObserver)?) {
        self.peerID = peerID
        self.addresses = Mutex(addresses)
        self.maxQueuedBatches = maxQueuedBatches
        self.observer = observer
    }

    /// What ``enqueue(_:)`` does with a batch.
    private enum Admission {
        case write(any Channel)
        case queued
        case dropped
    }

    /// Sends or queues `messages`; false if the bound was reached or the sender stopped, and they were
    /// dropped. Called by one thread at a time (the Raft loop), whose order the peer sees.
    func enqueue(_ messages: [Raft.Message]) -> Bool {
        let admission = self.link.withLock { link -> Admission in
            // Checked under the lock: `stop()` sets the flag before it empties the queue under it.
            guard !self.isStopped else { return .dropped }
            if let channel = link.channel {
                guard link.inFlight < self.maxQueuedBatches else { return .dropped }
                link.inFlight += 1
                return .write(channel)
            }
            guard link.waiting.count < self.maxQueuedBatches else { return .dropped }
            link.waiting.append(messages)
            return .queued
        }
        switch admission {
        case .write(let channel):
            self.write([messages], on: channel)
            return true
        case .queued:
            return true
        case .dropped:
            return false
        }
    }

    /// The addresses tried in turn.
    var currentAddresses: [PeerAddress] {
        self.addresses.withLock { $0 }
    }

    /// Points the sender at new addresses; the next connection attempt uses them.
    func update(addresses: [PeerAddress]) {
        self.addresses.withLock { $0 = addresses }
    }

    /// Drops what is queued and closes the connection; ``run(identity:connector:delegate:logger:)`` returns.
    func stop() {
        self.stopped.store(true, ordering: .relaxed)
        let channel = self.link.withLock { link in
            link.waiting.removeAll()
            return link.channel
        }
        channel?.close(promise: nil)
    }

    /// True once ``stop()`` was called.
    var isStopped: Bool { self.stopped.load(ordering: .relaxed) }

    /// Whether the stream to the peer is connected now.
    var isConnected: Bool { self.link.withLock { $0.channel != nil } }

    /// Connects, hands the connection to ``enqueue(_:)``, and reconnects when it breaks, until ``stop()``
    /// or cancellation.
    func run(identity: PeerIdentity, connector: PeerConnector, delegate: any PeerTransportDelegate, logger: Logger) async {
        let hello = identity.hello(.stream, to: self.peerID)
        var backoff = Backoff(initial: connector.configuration.initialReconnectDelay, max: connector.configuration.maxReconnectDelay)
        var attempt = 0
        while !self.isStopped && !Task.isCancelled {
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
                    self.observer?.streamChanged(to: self.peerID, active: true)
                    defer { self.observer?.streamChanged(to: self.peerID, active: false) }
                    backoff.reset()
                    try await self.serve(channel.channel)
                }
            } catch let refusal as PeerRefusal where refusal.meansRemoved {
                logger.error("peer says this member was removed from the cluster", metadata: ["peer": "\(hex(self.peerID))"])
                delegate.removedFromCluster()
                return
            } catch {
                guard !self.isStopped else { return }
                delegate.unreachable(self.peerID)
                self.observer?.sendFailed(to: self.peerID)
                logger.debug(
                    "lost stream to peer",
                    metadata: ["peer": "\(hex(self.peerID))", "address": "\(address)", "error": "\(error)"]
                )
                try? await Task.sleep(for: backoff.next())
            }
        }
    }

    /// Sends what waited, lets ``enqueue(_:)`` write to `channel` until it closes, then throws.
    private func serve(_ channel: any Channel) async throws {
        // Published on the channel's event loop, in the same task that writes what waited: a batch written
        // there afterwards (inline, by a Raft loop on that loop) cannot overtake them. The write is outside
        // the lock, whose promise callback takes it again.
        try await channel.eventLoop.submit {
            let waiting = self.link.withLock { link -> [[Raft.Message]] in
                let waiting = link.waiting
                link.waiting.removeAll()
                link.inFlight += waiting.count
                link.channel = channel
                return waiting
            }
            if !waiting.isEmpty { self.write(waiting, on: channel) }
        }.get()
        defer { self.link.withLock { $0.channel = nil } }
        if self.isStopped { channel.close(promise: nil) }
        try await withTaskCancellationHandler {
            try await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
        throw PeerProtocolError("the stream to peer \(hex(self.peerID)) closed")
    }

    /// Encodes and writes `batches` on the channel's event loop, with one flush: at once when the caller is
    /// on that loop (the member's Raft loop, whose thread the peer connections share).
    private func write(_ batches: [[Raft.Message]], on channel: any Channel) {
        guard channel.eventLoop.inEventLoop else {
            channel.eventLoop.execute { self.write(batches, on: channel) }
            return
        }
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in self.link.withLock { $0.inFlight -= batches.count } }
        var frames: [ByteBuffer] = []
        do {
            for batch in batches {
                for message in batch { frames.append(try PeerFrames.encode(message.proto)) }
            }
        } catch {
            written.fail(error)
            channel.close(promise: nil)
            return
        }
        guard !frames.isEmpty else {
            written.succeed(())
            return
        }
        var bytes = 0
        for (position, frame) in frames.enumerated() {
            bytes += frame.readableBytes + PeerFrameEncoder.headerBytes
            channel.write(frame, promise: position == frames.count - 1 ? written : nil)
        }
        channel.flush()
        self.observer?.sent(bytes: bytes, to: self.peerID)
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
