import EtcdGRPC
import EtcdProto
import EtcdServer
import GRPCCore
import MVCC
import SwiftProtobuf
import Synchronization

/// etcd's `Watch` service: one watch stream per call, many watches on it. Requests (create, cancel,
/// progress) are read while responses are written; a watch that asked for fragmenting gets its large
/// revisions split into responses no bigger than the request limit, with `fragment` on all but the last;
/// a watch that asked for `progress_notify` gets a progress response every interval (plus up to a tenth
/// of jitter, so that streams do not all answer at once) when it has nothing pending.
public struct WatchService: Etcdserverpb_Watch.SimpleServiceProtocol {
    private let server: EtcdServer
    private let maxResponseBytes: Int
    private let progressNotifyInterval: Duration

    /// A service answering from `server`; fragments stay under `maxResponseBytes` (`--max-request-bytes`),
    /// progress notifications come every `progressNotifyInterval` (etcd's default: 10 minutes).
    public init(server: EtcdServer, maxResponseBytes: Int, progressNotifyInterval: Duration = .seconds(600)) {
        self.server = server
        self.maxResponseBytes = maxResponseBytes
        self.progressNotifyInterval = progressNotifyInterval
    }

    public func watch(
        request: RPCAsyncSequence<Etcdserverpb_WatchRequest, any Error>,
        response: RPCWriter<Etcdserverpb_WatchResponse>,
        context: ServerContext
    ) async throws {
        try await self.serve(request, output: .messages(response))
    }

    /// The gRPC call: responses are encoded here, each event list once for all the watchers it goes to.
    func watch(requests: RPCAsyncSequence<Etcdserverpb_WatchRequest, any Error>, sink: any GRPCResponseSink) async throws {
        try await self.serve(requests, output: .encoded(sink))
    }

    private func serve(_ request: RPCAsyncSequence<Etcdserverpb_WatchRequest, any Error>, output response: WatchOutput) async throws {
        let stream = self.server.makeWatchStream()
        let options = StreamWatchOptions()
        defer { stream.close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // What one revision queued for many watchers goes out in one write.
                var responses = stream.makeAsyncIterator()
                while let batch = await responses.nextBatch(limit: Self.batchLimit) {
                    var messages: [Etcdserverpb_WatchResponse] = []
                    messages.reserveCapacity(batch.count)
                    let fragmenting = options.fragmenting.withLock { $0 }
                    for event in batch {
                        var message = event.message
                        message.header = self.server.header(revision: event.revision)
                        let split = !fragmenting.isEmpty && fragmenting.contains(event.watchID)
                        messages.append(contentsOf: split ? self.fragments(of: message) : [message])
                    }
                    try await response.write(contentsOf: messages)
                }
                // Not cancelled: the store ended the stream (a leader's snapshot replaced it).
                if !Task.isCancelled { throw EtcdError.watchStoreReplaced }
            }
            group.addTask {
                for try await message in request {
                    try await self.handle(message, stream: stream, response: response, options: options)
                }
            }
            group.addTask {
                while true {
                    let jitter = self.progressNotifyInterval / 10 * Double.random(in: 0..<1)
                    try await Task.sleep(for: self.progressNotifyInterval + jitter)
                    for id in options.progressNotify.withLock({ $0 }) {
                        stream.requestProgress(watchID: id)
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Responses written together at most.
    private static let batchLimit = 128

    /// etcd's answer to a watch it will not create: created and canceled at once, with the reason.
    private func refusal(_ reason: String, at revision: Int64) -> Etcdserverpb_WatchResponse {
        var refused = Etcdserverpb_WatchResponse()
        refused.header = self.server.header(revision: revision)
        refused.watchID = WatchResponse.streamWatchID
        refused.created = true
        refused.canceled = true
        refused.cancelReason = reason
        return refused
    }

    private func handle(
        _ message: Etcdserverpb_WatchRequest,
        stream: WatchStream,
        response: WatchOutput,
        options: StreamWatchOptions
    ) async throws {
        switch message.requestUnion {
        case .createRequest(let create):
            if let refusal = try await self.server.watchRefusal(create) {
                try await response.write(self.refusal(refusal.grpcStatusText, at: stream.currentRevision))
                return
            }
            do {
                let id = try await stream.watch(WatchRequest(create))
                if create.fragment { options.fragmenting.withLock { _ = $0.insert(id) } }
                if create.progressNotify { options.progressNotify.withLock { _ = $0.insert(id) } }
            } catch .closed {
                throw EtcdError.watchStoreReplaced
            } catch {
                try await response.write(self.refusal(error.grpcMessage, at: stream.currentRevision))
            }
        case .cancelRequest(let cancel):
            options.fragmenting.withLock { _ = $0.remove(cancel.watchID) }
            options.progressNotify.withLock { _ = $0.remove(cancel.watchID) }
            try? await stream.cancel(watchID: cancel.watchID)
        case .progressRequest:
            try? await stream.requestProgress()
        case .none:
            break
        }
    }

    /// Splits a response's events so each part stays under the limit; a single oversized event goes alone.
    private func fragments(of message: Etcdserverpb_WatchResponse) -> [Etcdserverpb_WatchResponse] {
        guard message.events.count > 1, Self.size(of: message) > self.maxResponseBytes else { return [message] }
        var parts: [Etcdserverpb_WatchResponse] = []
        var current = message
        current.events = []
        var size = 0
        for event in message.events {
            let eventSize = Self.size(of: event)
            if !current.events.isEmpty && size + eventSize > self.maxResponseBytes {
                current.fragment = true
                parts.append(current)
                current.events = []
                size = 0
            }
            current.events.append(event)
            size += eventSize
        }
        current.fragment = false
        parts.append(current)
        return parts
    }

    private static func size(of message: some SwiftProtobuf.Message) -> Int {
        ((try? message.serializedBytes()) as [UInt8]?)?.count ?? 0
    }
}

/// The watches of one stream that asked for fragmenting, and for periodic progress notifications.
private final class StreamWatchOptions: Sendable {
    let fragmenting = Mutex<Set<Int64>>([])
    let progressNotify = Mutex<Set<Int64>>([])
}

/// Where a watch stream's responses go: the JSON gateway's typed writer, or a gRPC call's sink of encoded
/// messages (a batch encoded by ``WatchResponseEncoder``).
private enum WatchOutput: Sendable {
    case messages(RPCWriter<Etcdserverpb_WatchResponse>)
    case encoded(any GRPCResponseSink)

    func write(_ message: Etcdserverpb_WatchResponse) async throws {
        try await self.write(contentsOf: [message])
    }

    func write(contentsOf messages: [Etcdserverpb_WatchResponse]) async throws {
        switch self {
        case .messages(let writer):
            try await writer.write(contentsOf: messages)
        case .encoded(let sink):
            var encoder = WatchResponseEncoder()
            try await sink.write(contentsOf: messages.map { try encoder.encode($0) })
        }
    }
}
