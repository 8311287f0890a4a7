import EtcdProto
import EtcdServer
import Foundation
import MVCC

extension MemberRecipeClient {
    /// How long a watch waits before it opens again on a store being replaced.
    static let storeReplacementPause: Duration = .milliseconds(10)

    /// A watch on the member's store, one ``WatchStream`` at a time. A stream that ends while the task goes on
    /// (a leader's snapshot replaced the store) is opened again on the new store from the revision after the
    /// last event handed on.
    func watch(
        _ key: Data,
        rangeEnd: Data?,
        from revision: Int64,
        handle: (Etcdserverpb_WatchResponse) async throws -> Bool
    ) async throws {
        let range = KeyRange(key: key, rangeEnd: rangeEnd ?? Data())
        var next = revision
        while !Task.isCancelled {
            let stream = self.server.makeWatchStream()
            defer { stream.close() }
            do {
                _ = try await stream.watch(WatchRequest(range: range, startRevision: next))
                for await response in stream {
                    switch response.kind {
                    case .events:
                        guard let last = response.events.last else { continue }
                        next = last.kv.modRevision + 1
                        var message = response.message
                        message.header = self.server.header(revision: response.revision)
                        guard try await handle(message) else { return }
                    case .compacted:
                        throw EtcdError.compacted
                    case .created, .progress, .canceled:
                        continue
                    }
                }
            } catch let error as KVError {
                // A stream on a store closed under it ends like one whose store was replaced: open another.
                guard error == .closed else { throw EtcdError(error) }
            }
            do {
                try await Task.sleep(for: Self.storeReplacementPause)
            } catch {
                return
            }
        }
    }
}
