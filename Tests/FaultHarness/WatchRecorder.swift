import EtcdClient
import EtcdProto
import Foundation
import HistoryCheck
import Synchronization

/// A watcher on one member: watches a prefix from a revision, resuming by itself when its member comes
/// back (the client does), and records every event it receives. A compaction that cancels the watch ends
/// the log there; a new log starts at the compaction revision.
public final class WatchRecorder: Sendable {
    public let name: String
    private let prefix: String
    private let logs = Mutex<[WatchLog]>([])
    private let latest = Atomic<Int64>(0)

    public init(name: String, prefix: String) {
        self.name = name
        self.prefix = prefix
    }

    /// The highest revision received so far.
    public var lastRevision: Int64 { self.latest.load(ordering: .relaxed) }

    /// Every log, the last one still growing while ``run(client:from:)`` runs.
    public var watchLogs: [WatchLog] { self.logs.withLock { $0 } }

    /// Watches until cancelled.
    public func run(client: EtcdClient, from revision: Int64) async {
        var start = revision
        while !Task.isCancelled {
            let position = self.logs.withLock { logs in
                logs.append(WatchLog(watcher: "\(self.name)#\(logs.count)", prefix: self.prefix, startRevision: start, events: []))
                return logs.count - 1
            }
            var options = WatchOptions.prefix(of: Array(self.prefix.utf8))
            options.startRevision = start
            do {
                for try await response in client.watch(Array(self.prefix.utf8), options: options) {
                    let events = response.events.map { event in
                        WatchLog.Event(
                            revision: event.kv.modRevision, key: String(decoding: event.kv.key, as: UTF8.self),
                            value: event.type == .delete ? nil : String(decoding: event.kv.value, as: UTF8.self)
                        )
                    }
                    self.logs.withLock { $0[position].events += events }
                    if let last = events.last { self.latest.store(last.revision, ordering: .relaxed) }
                }
                return
            } catch let compacted as WatchCompactedError {
                self.logs.withLock { $0[position].compactedAt = compacted.compactRevision }
                start = compacted.compactRevision
            } catch {
                return
            }
        }
    }
}
