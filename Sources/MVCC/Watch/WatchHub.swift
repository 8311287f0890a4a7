import Backend
import EtcdProto
import Synchronization

/// The watchable half of the store (etcd's `watchableStore`): the registry of watchers, split into
/// synced ones, which the apply thread hands every new revision, and unsynced ones, which a catch-up
/// loop feeds from the key database (`WatchHub+Sync`).
///
/// Lock order: the hub's lock, then a stream's lock, then the store's revision lock. The apply thread
/// holds the hub's lock only to publish a revision and copy events into stream buffers: it never waits
/// for a consumer. A stream resumes its waiting consumer after releasing its own lock but while the hub's
/// may be held, so no task cancellation handler may take the hub's lock.
final class WatchHub: @unchecked Sendable {
    struct State {
        var synced = WatcherGroup()
        var unsynced: [ObjectIdentifier: Watcher] = [:]
        var streams: [ObjectIdentifier: WatchStream] = [:]
        var closed = false
    }

    let configuration: StoreConfiguration
    let state = Mutex(State())
    let syncer = WatchSyncer()
    /// Set once by the store right after creating the hub.
    private(set) unowned(unsafe) var store: KVStore!

    init(configuration: StoreConfiguration) {
        self.configuration = configuration
    }

    func attach(store: KVStore) {
        self.store = store
        syncer.start(interval: configuration.watchSyncInterval) { [unowned self] in
            self.syncRound()
        }
    }

    var currentRevision: Int64 { store.currentRevision }

    func range(_ range: KeyRange, options: RangeOptions) throws(KVError) -> RangeResult {
        try store.range(range, options: options)
    }

    /// A new stream buffering up to `capacity` event responses.
    func makeStream(capacity: Int) -> WatchStream {
        let stream = WatchStream(hub: self, store: store, capacity: capacity)
        let open = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.streams[ObjectIdentifier(stream)] = stream
            return true
        }
        if !open {
            _ = stream.queue.markClosed()
        }
        return stream
    }

    /// Publishes a revision (through `advance`) and hands its events to the synced watchers. Apply
    /// thread.
    func notify(revision: Int64, events: [Mvccpb_Event], advance: () -> Void) {
        let wake = state.withLock { state -> Bool in
            advance()
            guard !state.synced.isEmpty else { return false }
            var wake = false
            for (watcher, picked) in Self.recipients(of: events, among: state.synced) {
                let events = watcher.filter(picked)
                guard !events.isEmpty else { continue }
                let response = WatchResponse(kind: .events, watchID: watcher.id, revision: revision, events: events)
                if !watcher.stream.queue.enqueueEvent(response, previousValues: watcher.request.prevKV) {
                    state.synced.remove(watcher)
                    watcher.placement = .unsynced
                    watcher.nextRevision = revision
                    state.unsynced[ObjectIdentifier(watcher)] = watcher
                    wake = true
                }
            }
            return wake
        }
        if wake {
            syncer.wake()
        }
    }

    /// The synced watchers `events` (one revision's) concern, each with its events in order. A watcher that
    /// takes every event gets the array `events` itself, so the watchers of a key share one array, which the
    /// client API encodes once for all of them.
    private static func recipients(of events: [Mvccpb_Event], among synced: WatcherGroup) -> [(Watcher, [Mvccpb_Event])] {
        if events.count == 1 {
            var recipients: [(Watcher, [Mvccpb_Event])] = []
            synced.forEachWatcher(of: Array(events[0].kv.key)) { watcher in
                if events[0].kv.modRevision >= watcher.nextRevision { recipients.append((watcher, events)) }
            }
            return recipients
        }
        var batches: [ObjectIdentifier: (watcher: Watcher, events: [Mvccpb_Event])] = [:]
        for event in events {
            synced.forEachWatcher(of: Array(event.kv.key)) { watcher in
                if event.kv.modRevision >= watcher.nextRevision {
                    batches[ObjectIdentifier(watcher), default: (watcher, [])].events.append(event)
                }
            }
        }
        return batches.values.map { batch in (batch.watcher, batch.events.count == events.count ? events : batch.events) }
    }

    func register(_ request: WatchRequest, on stream: WatchStream) throws(KVError) -> Int64 {
        let outcome = try state.withLock { state throws(KVError) -> (Int64, Bool) in
            guard !state.closed else { throw .closed }
            let id = try stream.queue.assignID(request.watchID)
            let current = store.currentRevision
            let synced = request.startRevision == 0 || request.startRevision > current
            let next = synced ? max(current + 1, request.startRevision) : request.startRevision
            let watcher = Watcher(id: id, request: request, stream: stream, nextRevision: next, placement: synced ? .synced : .unsynced)
            stream.queue.enqueueControl(WatchResponse(kind: .created, watchID: id, revision: current))
            stream.queue.add(watcher)
            if synced {
                state.synced.add(watcher)
            } else {
                state.unsynced[ObjectIdentifier(watcher)] = watcher
            }
            return (id, !synced)
        }
        if outcome.1 {
            syncer.wake()
        }
        return outcome.0
    }

    func cancel(_ id: Int64, on stream: WatchStream) throws(KVError) {
        try state.withLock { state throws(KVError) in
            guard let watcher = stream.queue.watcher(id) else { throw .watcherNotFound }
            Self.forget(watcher, &state)
            stream.queue.remove(id, dropQueued: true)
            stream.queue.enqueueControl(WatchResponse(kind: .canceled, watchID: id, revision: store.currentRevision))
            fulfilDeferredProgress(of: stream)
        }
    }

    func requestProgress(on stream: WatchStream) {
        state.withLock { _ in
            stream.queue.progressDeferred = true
            fulfilDeferredProgress(of: stream)
        }
    }

    func requestProgress(watchID: Int64, on stream: WatchStream) {
        state.withLock { _ in
            guard let watcher = stream.queue.watcher(watchID), watcher.placement == .synced else { return }
            let response = WatchResponse(kind: .progress, watchID: watchID, revision: store.currentRevision)
            _ = stream.queue.enqueueEvent(response, previousValues: false)
        }
    }

    func close(_ stream: WatchStream) {
        state.withLock { state in
            state.streams[ObjectIdentifier(stream)] = nil
            for watcher in stream.queue.markClosed() {
                Self.forget(watcher, &state)
            }
        }
    }

    /// Ends every stream and stops the catch-up loop.
    func close() {
        let streams = state.withLock { state -> [WatchStream] in
            state.closed = true
            defer { state.streams.removeAll() }
            return Array(state.streams.values)
        }
        syncer.stop()
        for stream in streams {
            close(stream)
        }
    }

    func wakeSyncer() {
        syncer.wake()
    }

    /// Queues the stream-wide progress response asked for earlier once every watch is synced. Caller
    /// holds the hub's lock.
    func fulfilDeferredProgress(of stream: WatchStream) {
        guard stream.queue.progressDeferred else { return }
        let watchers = stream.queue.watchers
        guard watchers.allSatisfy({ $0.placement == .synced }) else { return }
        stream.queue.progressDeferred = false
        guard !watchers.isEmpty else { return }
        stream.queue.enqueueControl(WatchResponse(kind: .progress, watchID: WatchResponse.streamWatchID, revision: store.currentRevision))
    }

    /// Removes `watcher` from its group. Caller holds the hub's lock.
    static func forget(_ watcher: Watcher, _ state: inout State) {
        switch watcher.placement {
        case .synced: state.synced.remove(watcher)
        case .unsynced: state.unsynced[ObjectIdentifier(watcher)] = nil
        case .removed: break
        }
        watcher.placement = .removed
    }
}

/// How many watch streams and watchers a store has, for etcd's `etcd_debugging_mvcc_*` gauges.
public struct WatchStatistics: Sendable {
    /// Open watch streams.
    public var streams: Int
    /// Watchers on all streams.
    public var watchers: Int
    /// Watchers still catching up with the current revision (etcd's slow watchers).
    public var unsynced: Int
}

extension KVStore {
    /// Counts streams and watchers now. Any thread.
    public var watchStatistics: WatchStatistics {
        watchHub.state.withLock { state in
            WatchStatistics(
                streams: state.streams.count,
                watchers: state.synced.count + state.unsynced.count,
                unsynced: state.unsynced.count
            )
        }
    }

    /// Opens a watch stream buffering up to `capacity` event responses. Any thread.
    public func makeWatchStream(capacity: Int = StoreConfiguration.defaultWatchStreamCapacity) -> WatchStream {
        watchHub.makeStream(capacity: capacity)
    }
}
