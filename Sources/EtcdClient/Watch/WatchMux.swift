import EtcdGRPC
import EtcdProto
import GRPCCore
import Synchronization

/// The watches of one client, multiplexed on one Watch stream to the pinned member, as clientv3 does.
/// Creates go out one at a time and the member answers them in order, which is how answers find their
/// watch. When the stream breaks (the member goes away), the mux reconnects, failing over, and creates
/// every watch again from the revision after the last one it delivered, so a caller sees each revision
/// once and in order; a resume point the member has compacted away ends that watch with
/// ``WatchCompactedError``. With credentials, each stream opens after a fresh authentication; one that
/// fails for another reason than an unreachable member ends every watch with its error.
final class WatchMux: Sendable {
    typealias Output = AsyncThrowingStream<Etcdserverpb_WatchResponse, any Error>.Continuation

    private struct Watch {
        let key: [UInt8]
        let options: WatchOptions
        let output: Output
        /// The revision to resume from; the start revision until something is delivered.
        var nextRevision: Int64
        /// The member's id for the watch on the current stream; nil until created.
        var serverID: Int64?
        /// Fragments of a revision received so far.
        var fragments: Etcdserverpb_WatchResponse?
    }

    private struct State {
        var watches: [UInt64: Watch] = [:]
        /// Local ids by the member's ids on the current stream.
        var byServerID: [Int64: UInt64] = [:]
        var nextLocalID: UInt64 = 1
        /// Creates sent on the current stream and not answered yet, oldest first.
        var pendingCreates: [UInt64] = []
        /// Sends requests on the current stream; nil while there is none.
        var requests: AsyncStream<Etcdserverpb_WatchRequest>.Continuation?
        var runner: Task<Void, Never>?
        var closed = false
    }

    private let client: EtcdClient
    private let state = Mutex(State())

    init(client: EtcdClient) {
        self.client = client
    }

    /// Starts watching; events go to `output` until the caller stops or the watch ends.
    func add(key: [UInt8], options: WatchOptions, output: Output) -> UInt64 {
        let (id, start) = self.state.withLock { state -> (UInt64, Bool) in
            let id = state.nextLocalID
            state.nextLocalID += 1
            state.watches[id] = Watch(key: key, options: options, output: output, nextRevision: options.startRevision)
            if let requests = state.requests {
                state.pendingCreates.append(id)
                requests.yield(options.createRequest(key: key, from: options.startRevision))
            }
            return (id, state.runner == nil && !state.closed)
        }
        if start { self.startRunner() }
        return id
    }

    /// Stops watch `id` (the caller ended its iteration).
    func remove(_ id: UInt64) {
        self.state.withLock { state in
            guard let watch = state.watches.removeValue(forKey: id) else { return }
            if let serverID = watch.serverID { state.byServerID[serverID] = nil }
            if let serverID = watch.serverID { state.requests?.yield(Self.cancel(serverID)) }
        }
    }

    /// Asks the member for a progress response on every watch of the stream.
    func requestProgress() {
        self.state.withLock { state in
            var request = Etcdserverpb_WatchRequest()
            request.progressRequest = Etcdserverpb_WatchProgressRequest()
            state.requests?.yield(request)
        }
    }

    /// Ends every watch and the stream.
    func close() {
        let (watches, runner) = self.state.withLock { state in
            state.closed = true
            defer { state.watches.removeAll() }
            return (Array(state.watches.values), state.runner)
        }
        runner?.cancel()
        for watch in watches { watch.output.finish() }
    }

    /// Ends every watch with `error` (the client could not authenticate for a new stream); a later watch
    /// starts the stream again.
    private func fail(_ error: EtcdError) {
        let watches = self.state.withLock { state in
            defer {
                state.watches.removeAll()
                state.runner = nil
            }
            return Array(state.watches.values)
        }
        for watch in watches { watch.output.finish(throwing: error) }
    }

    private func startRunner() {
        let task = Task { await self.run() }
        let started = self.state.withLock { state -> Bool in
            guard state.runner == nil, !state.closed else { return false }
            state.runner = task
            return true
        }
        if !started { task.cancel() }
    }

    /// Keeps a stream open while there are watches, reconnecting (and failing over) when it breaks.
    private func run() async {
        var failures = 0
        while !Task.isCancelled {
            let index = self.client.connectionIndex
            do throws(EtcdError) {
                try await self.client.renewTokenForStream()
            } catch where error.isRefusal {
                self.fail(error)
                return
            } catch {
                failures += 1
                self.client.failOver(from: index)
                try? await Task.sleep(for: .milliseconds(min(50 * failures, 1_000)))
                continue
            }
            let delivered = await self.stream(on: self.client.connections[index])
            if Task.isCancelled { break }
            if delivered { failures = 0 }
            failures += 1
            self.client.failOver(from: index)
            try? await Task.sleep(for: .milliseconds(min(50 * failures, 1_000)))
        }
    }

    /// One stream: creates every watch, then relays answers until the stream fails. Returns whether
    /// anything was delivered on it.
    private func stream(on connection: EndpointConnection) async -> Bool {
        let (requests, continuation) = AsyncStream<Etcdserverpb_WatchRequest>.makeStream()
        self.state.withLock { state in
            state.pendingCreates = []
            state.byServerID = [:]
            state.requests = continuation
            for (id, watch) in state.watches.sorted(by: { $0.key < $1.key }) {
                state.watches[id]?.serverID = nil
                state.watches[id]?.fragments = nil
                state.pendingCreates.append(id)
                continuation.yield(watch.options.createRequest(key: watch.key, from: watch.nextRevision))
            }
        }
        let delivered = Mutex(false)
        do {
            try await Etcdserverpb_Watch.Client(wrapping: connection.client).watch(
                requestProducer: { writer in
                    for await request in requests { try await writer.write(request) }
                }
            ) { response in
                for try await message in response.messages {
                    if self.handle(message) { delivered.withLock { $0 = true } }
                }
            }
        } catch {
            // The stream broke: the caller reconnects.
        }
        self.state.withLock { state in
            state.requests = nil
            state.pendingCreates = []
        }
        continuation.finish()
        return delivered.withLock { $0 }
    }

    /// Routes one answer of the member to its watch; returns whether it delivered events or progress.
    private func handle(_ message: Etcdserverpb_WatchResponse) -> Bool {
        let actions: (Output?, Etcdserverpb_WatchResponse?, (any Error)?) = self.state.withLock { state in
            if message.created {
                guard !state.pendingCreates.isEmpty else { return (nil, nil, nil) }
                let id = state.pendingCreates.removeFirst()
                guard var watch = state.watches[id] else {
                    // Its caller left before the member created it: cancel it there too.
                    if !message.canceled { state.requests?.yield(Self.cancel(message.watchID)) }
                    return (nil, nil, nil)
                }
                if message.canceled {
                    state.watches[id] = nil
                    return (watch.output, nil, Self.ending(message))
                }
                watch.serverID = message.watchID
                state.byServerID[message.watchID] = id
                if watch.nextRevision == 0 { watch.nextRevision = message.header.revision + 1 }
                state.watches[id] = watch
                return (nil, nil, nil)
            }
            if message.watchID == -1 {
                // A stream-wide progress answer: every watch is synced up to its revision.
                for id in state.watches.keys {
                    state.watches[id]!.nextRevision = max(state.watches[id]!.nextRevision, message.header.revision + 1)
                    state.watches[id]!.output.yield(message)
                }
                return (nil, nil, nil)
            }
            guard let id = state.byServerID[message.watchID], var watch = state.watches[id] else {
                return (nil, nil, nil)
            }
            if message.canceled {
                state.watches[id] = nil
                state.byServerID[message.watchID] = nil
                return (watch.output, nil, Self.ending(message))
            }
            var complete = message
            if var partial = watch.fragments {
                partial.events += message.events
                partial.fragment = message.fragment
                partial.header = message.header
                complete = partial
            }
            if complete.fragment {
                watch.fragments = complete
                state.watches[id] = watch
                return (nil, nil, nil)
            }
            watch.fragments = nil
            if let last = complete.events.last {
                watch.nextRevision = last.kv.modRevision + 1
            } else {
                watch.nextRevision = max(watch.nextRevision, complete.header.revision + 1)
            }
            state.watches[id] = watch
            return (watch.output, complete, nil)
        }
        let (output, response, error) = actions
        if let response { output?.yield(response) }
        if let error { output?.finish(throwing: error) }
        return response != nil
    }

    private static func cancel(_ serverID: Int64) -> Etcdserverpb_WatchRequest {
        var cancel = Etcdserverpb_WatchCancelRequest()
        cancel.watchID = serverID
        var request = Etcdserverpb_WatchRequest()
        request.cancelRequest = cancel
        return request
    }

    /// How a watch the member cancelled ends: the compaction error when its history is gone, else the
    /// member's reason.
    private static func ending(_ message: Etcdserverpb_WatchResponse) -> any Error {
        if message.compactRevision > 0 { return WatchCompactedError(compactRevision: message.compactRevision) }
        return message.cancelReason.isEmpty ? EtcdError.watchCanceled : EtcdError(.canceled, message.cancelReason)
    }
}
