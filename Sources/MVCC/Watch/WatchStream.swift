import Backend
import EtcdProto
import Foundation

/// The watches of one client stream (one gRPC `Watch` call) and their responses, delivered in order as
/// an `AsyncSequence`: created and canceled acknowledgements, events, progress and compaction notices.
///
/// Guarantees per watch, as etcd gives them: events in revision order, each exactly once, all events
/// of a revision in one response; a watch resumed from a revision inside the history window misses
/// nothing. A stream-wide progress response (`requestProgress()`) comes after every event up to its
/// revision.
///
/// Flow: the apply thread never waits on the consumer. Event responses are buffered up to `capacity`;
/// a watch whose response does not fit drops back to catching up from the key database, and resumes
/// once the consumer has made room. `watch`, `cancel` and `requestProgress` wait (asynchronously) while
/// `controlCapacity` acknowledgements are unread.
///
/// Threading: any thread; a single consumer iterates `self`.
public final class WatchStream: AsyncSequence, Sendable {
    /// The stream yields watch responses.
    public typealias Element = WatchResponse

    /// Unread acknowledgements (created, canceled, stream progress) after which requests wait.
    public static let controlCapacity = 16

    /// Event responses buffered at most.
    public var capacity: Int { queue.capacity }
    private let hub: WatchHub
    /// The store the hub belongs to, held so that a stream its consumer still iterates keeps the store
    /// alive (the hub refers to its store without owning it) after the store was closed and replaced.
    private let store: KVStore
    /// The responses and watchers of the stream.
    let queue: WatchStreamQueue

    init(hub: WatchHub, store: KVStore, capacity: Int) {
        self.hub = hub
        self.store = store
        queue = WatchStreamQueue(capacity: capacity, statistics: hub.configuration.statistics) { [weak hub] in hub?.wakeSyncer() }
    }

    /// Starts a watch; returns its ID after queueing its `created` response (events follow it).
    /// Throws `emptyWatcherRange` for a range that ends at or before its key, `compacted` for a
    /// negative start revision, `duplicateWatchID` for an explicit ID in use, `closed` after `close()`.
    public func watch(_ request: WatchRequest) async throws(KVError) -> Int64 {
        if let end = request.range.end, !end.isEmpty, !Bytes.less(request.range.key, end) {
            throw .emptyWatcherRange
        }
        if request.startRevision < 0 {
            throw .compacted
        }
        try await queue.waitForControlRoom()
        return try hub.register(request, on: self)
    }

    /// Cancels watch `watchID`: drops its undelivered events and queues its `canceled` response.
    /// Throws `watcherNotFound` when the stream has no such watch.
    public func cancel(watchID: Int64) async throws(KVError) {
        try await queue.waitForControlRoom()
        try hub.cancel(watchID, on: self)
    }

    /// Asks for a stream-wide progress response (`watchID` -1) carrying the current revision. It is
    /// queued once every watch of the stream is synced, so every event up to that revision comes
    /// before it; a stream without watches gets none (as in etcd).
    public func requestProgress() async throws(KVError) {
        try await queue.waitForControlRoom()
        hub.requestProgress(on: self)
    }

    /// Asks for a progress response of watch `watchID` (etcd's periodic `progress_notify`): queued only
    /// when the watch is synced and the buffer has room, otherwise skipped, as in etcd.
    public func requestProgress(watchID: Int64) {
        hub.requestProgress(watchID: watchID, on: self)
    }

    /// The store's current revision.
    public var currentRevision: Int64 { hub.currentRevision }

    /// Ends every watch and the sequence; undelivered responses are dropped. Idempotent.
    public func close() {
        hub.close(self)
    }

    /// The stream's only iterator: a second one is a programming error.
    public func makeAsyncIterator() -> Iterator {
        precondition(queue.beginIteration(), "a watch stream has a single consumer")
        return Iterator(stream: self)
    }

    /// The responses of a stream, in order; nil once the stream is closed.
    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let stream: WatchStream

        /// The next response, waiting for it; nil once the stream is closed or the task is cancelled, or
        /// when the previous values a response needs can no longer be read (the store was closed under
        /// it): the stream ends before that response rather than send it incomplete.
        public mutating func next() async -> WatchResponse? {
            guard let queued = await stream.queue.dequeue() else { return nil }
            guard let response = stream.complete(queued) else {
                stream.close()
                return nil
            }
            return response
        }

        /// The next response as ``next()`` gives it, followed by up to `limit - 1` more already queued; nil
        /// when ``next()`` would be. A response whose previous values cannot be read ends the batch and the
        /// stream, as ``next()`` does.
        public mutating func nextBatch(limit: Int) async -> [WatchResponse]? {
            guard let first = await next() else { return nil }
            var batch = [first]
            for queued in stream.queue.dequeueQueued(limit: limit - 1) {
                guard let response = stream.complete(queued) else {
                    stream.close()
                    break
                }
                batch.append(response)
            }
            return batch
        }
    }

    /// Fills the previous values of a response's events for watches that asked for them: the key as it
    /// was one revision before each event, left out when that revision is compacted (etcd does this
    /// lookup when it sends, too). A creating put has no previous value. Nil when a lookup fails for
    /// another reason.
    fileprivate func complete(_ queued: WatchStreamQueue.Queued) -> WatchResponse? {
        var response = queued.response
        guard queued.needsPreviousValues else { return response }
        for position in response.events.indices {
            let keyValue = response.events[position].kv
            if response.events[position].type == .put, keyValue.createRevision == keyValue.modRevision {
                continue
            }
            let options = RangeOptions(revision: keyValue.modRevision - 1)
            do {
                if let previous = try hub.range(KeyRange(key: Array(keyValue.key)), options: options).kvs.first {
                    response.events[position].prevKv = previous
                }
            } catch .compacted {
                continue
            } catch {
                return nil
            }
        }
        return response
    }
}
