import EtcdProto
import Logging
import NIOCore
import NIOPosix
import Raft
import SwiftProtobuf
import Synchronization

/// Member-to-member traffic over the peer URLs: one outgoing message stream per peer (bounded queue,
/// reconnection with backoff), incoming streams delivered to the delegate in order, snapshots on
/// connections of their own, and membership queries from joining members.
///
/// ``send(_:)`` never blocks, so the Raft loop can call it directly. ``run()`` binds the listeners and
/// keeps everything going until its task is cancelled.
public final class PeerTransport: Sendable {
    private let identity: PeerIdentity
    private let listenAddresses: [PeerAddress]
    private let delegate: any PeerTransportDelegate
    private let configuration: PeerTransportConfiguration
    private let connector: PeerConnector
    private let threadPool: NIOThreadPool
    private let observer: (any PeerTrafficObserver)?
    private let logger: Logger
    private let senders = Mutex<[UInt64: PeerSender]>([:])
    private let newSenders: AsyncStream<PeerSender>
    private let newSenderContinuation: AsyncStream<PeerSender>.Continuation
    private let bound = Mutex<[PeerAddress]>([])

    /// Prepares a transport; nothing is bound or dialed until ``run()``. With an `observer`, traffic is
    /// reported to it and every peer's round-trip time is probed. Every connection lives on
    /// `eventLoopGroup`: a member passes its Raft loop's, so that messages are written and delivered on
    /// that loop's thread with no hand-off.
    public init(
        identity: PeerIdentity,
        listenAddresses: [PeerAddress],
        delegate: any PeerTransportDelegate,
        configuration: PeerTransportConfiguration = PeerTransportConfiguration(),
        observer: (any PeerTrafficObserver)? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.observer = observer
        self.identity = identity
        self.listenAddresses = listenAddresses
        self.delegate = delegate
        self.configuration = configuration
        self.connector = PeerConnector(eventLoopGroup: eventLoopGroup, configuration: configuration)
        self.threadPool = NIOThreadPool.singleton
        self.logger = logger
        (self.newSenders, self.newSenderContinuation) = AsyncStream.makeStream(of: PeerSender.self)
    }

    /// Starts talking to `peerID` at `urls` (its peer URLs). Replaces the URLs if the peer is known.
    public func addPeer(_ peerID: UInt64, urls: [String]) throws(PeerProtocolError) {
        guard peerID != self.identity.memberID else { return }
        var addresses: [PeerAddress] = []
        for url in urls { addresses.append(try PeerAddress(url: url)) }
        let created: PeerSender? = self.senders.withLock { senders in
            if let existing = senders[peerID] {
                existing.update(addresses: addresses)
                return nil
            }
            let sender = PeerSender(
                peerID: peerID,
                addresses: addresses,
                maxQueuedBatches: self.configuration.maxQueuedBatchesPerPeer,
                observer: self.observer
            )
            senders[peerID] = sender
            return sender
        }
        if let created { self.newSenderContinuation.yield(created) }
    }

    /// The peers whose message stream is connected now (etcd's active peers).
    public var activePeerCount: Int {
        self.senders.withLock { $0 }.values.count { $0.isConnected }
    }

    /// Stops talking to `peerID`.
    public func removePeer(_ peerID: UInt64) {
        self.senders.withLock { $0.removeValue(forKey: peerID) }?.stop()
    }

    /// Queues messages for their recipients (`Message.to`). Messages for unknown peers are dropped; if a
    /// peer's queue is full its messages are dropped and the delegate hears it is unreachable.
    public func send(_ messages: [Raft.Message]) {
        guard !messages.isEmpty else { return }
        var byPeer: [UInt64: [Raft.Message]] = [:]
        for message in messages { byPeer[message.to, default: []].append(message) }
        let senders = self.senders.withLock { $0 }
        for (peerID, batch) in byPeer {
            guard let sender = senders[peerID] else { continue }
            if !sender.enqueue(batch) { self.delegate.unreachable(peerID) }
        }
    }

    /// Sends a snapshot (the `MSG_SNAPSHOT` message and the backend file it covers) to `message.to`,
    /// trying its URLs in turn. Returns the bytes sent; throws if no URL took it.
    public func sendSnapshot(_ message: Raft.Message, databasePath: String) async throws -> Int {
        var urls: [PeerAddress] = []
        if let sender = self.senders.withLock({ $0[message.to] }) { urls = sender.currentAddresses }
        let snapshotSender = SnapshotSender(identity: self.identity, connector: self.connector, threadPool: self.threadPool)
        var lastError: any Error = PeerProtocolError("no address known for peer \(hex(message.to))")
        let started = ContinuousClock.now
        self.observer?.snapshotTransferStarted(with: message.to, outbound: true)
        for address in urls {
            do {
                let sent = try await snapshotSender.send(message, databasePath: databasePath, to: address)
                self.observer?.sent(bytes: sent, to: message.to)
                self.observer?.snapshotTransferEnded(with: message.to, outbound: true, succeeded: true, took: ContinuousClock.now - started)
                return sent
            } catch {
                self.observer?.sendFailed(to: message.to)
                lastError = error
            }
        }
        self.observer?.snapshotTransferEnded(with: message.to, outbound: true, succeeded: false, took: ContinuousClock.now - started)
        throw lastError
    }

    /// Asks `leaderID` a question only the leader can answer, trying its URLs in turn.
    public func askLeader(_ leaderID: UInt64, _ request: Memberpb_LeaderRequest) async throws -> Memberpb_LeaderReply {
        try await self.ask(leaderID, .leaderQuery, request, answer: Memberpb_LeaderReply.self)
    }

    /// Asks `memberID` for the hash of its key-value history (the corruption checks), trying its URLs in
    /// turn.
    public func hashKV(of memberID: UInt64, _ request: Etcdserverpb_HashKVRequest) async throws -> Memberpb_HashKVReply {
        try await self.ask(memberID, .hashKv, request, answer: Memberpb_HashKVReply.self)
    }

    /// One question and one answer on a connection of its own to `memberID`.
    private func ask<Question: SwiftProtobuf.Message, Answer: SwiftProtobuf.Message>(
        _ memberID: UInt64, _ kind: Memberpb_PeerHello.Kind, _ question: Question, answer: Answer.Type
    ) async throws -> Answer {
        let hello = self.identity.hello(kind, to: memberID)
        let addresses = self.senders.withLock { $0[memberID] }?.currentAddresses ?? []
        var lastError: any Error = PeerProtocolError("no address known for member \(hex(memberID))")
        for address in addresses {
            do {
                let channel = try await self.connector.connect(to: address)
                return try await channel.executeThenClose { inbound, outbound in
                    var replies = inbound.makeAsyncIterator()
                    try await PeerConnector.handshake(hello, inbound: &replies, outbound: outbound)
                    try await outbound.write(PeerFrames.encode(question))
                    guard let frame = try await replies.next() else {
                        throw PeerProtocolError("member \(hex(memberID)) closed the connection without answering")
                    }
                    return try PeerFrames.decode(Answer.self, from: frame)
                }
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// The addresses the listeners are bound to (with the ports chosen for port 0), once ``run()`` bound them.
    public var boundAddresses: [PeerAddress] {
        self.bound.withLock { $0 }
    }

    /// Binds every listen address and serves until cancelled, then returns. Throws if an address cannot be
    /// bound or a listener fails.
    public func run() async throws {
        do {
            try await self.serve()
        } catch where Task.isCancelled {
            return
        }
    }

    private func serve() async throws {
        var servers: [NIOAsyncChannel<PeerChannel, Never>] = []
        let (identity, delegate, observer, logger) = (self.identity, self.delegate, self.observer, self.logger)
        for address in self.listenAddresses {
            let listener = PeerListener(
                address: address,
                eventLoopGroup: self.connector.eventLoopGroup,
                maxFrameBytes: self.configuration.maxFrameBytes,
                tls: self.configuration.tls,
                reusePort: self.configuration.reusePort,
                logger: self.logger,
                makeReceiver: { PeerStreamReceiver(identity: identity, delegate: delegate, observer: observer, logger: logger) }
            )
            let server = try await listener.bind()
            if let local = server.channel.localAddress, let port = local.port {
                self.bound.withLock { $0.append(PeerAddress(host: address.host, port: port, secure: address.secure)) }
            }
            servers.append(server)
        }
        let connection = InboundConnection(
            identity: self.identity,
            delegate: self.delegate,
            threadPool: self.threadPool,
            observer: self.observer,
            logger: self.logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            for server in servers {
                group.addTask {
                    try await withTaskCancellationHandler {
                        try await PeerListener.serve(server, with: connection)
                    } onCancel: {
                        server.channel.close(promise: nil)
                    }
                }
            }
            for await sender in self.newSenders {
                group.addTask {
                    await sender.run(identity: self.identity, connector: self.connector, delegate: self.delegate, logger: self.logger)
                }
                if let observer = self.observer {
                    let prober = PeerProber(
                        sender: sender,
                        identity: self.identity,
                        connector: self.connector,
                        observer: observer,
                        logger: self.logger
                    )
                    group.addTask { await prober.run() }
                }
            }
        }
    }
}
