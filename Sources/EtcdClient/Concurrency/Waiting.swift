import EtcdProto
import Foundation

/// The waits the lock and election recipes share, with clientv3's keys and revisions.
enum Waiting {
    /// The range of every key under `prefix`, by create revision, first or last one only.
    static func byCreation(_ prefix: String, ascending: Bool, maxCreateRevision: Int64 = 0) -> Etcdserverpb_RangeRequest {
        var request = RangeRequests.prefix(Array(prefix.utf8))
        request.sortTarget = .create
        request.sortOrder = ascending ? .ascend : .descend
        request.limit = 1
        request.maxCreateRevision = maxCreateRevision
        return request
    }

    /// Waits until no key under `prefix` created at or before `maxCreateRevision` is left (clientv3's
    /// `waitDeletes`): the waiter's turn has come. Returns the header of the last read.
    static func deletions(
        under prefix: String,
        createdBy maxCreateRevision: Int64,
        client: EtcdClient
    ) async throws -> Etcdserverpb_ResponseHeader {
        while true {
            let last = try await client.range(self.byCreation(prefix, ascending: false, maxCreateRevision: maxCreateRevision))
            guard let key = last.kvs.first?.key else { return last.header }
            try await self.deletion(of: [UInt8](key), after: last.header.revision, client: client)
        }
    }

    /// Waits for `key` to be deleted at a revision after `revision`.
    static func deletion(of key: [UInt8], after revision: Int64, client: EtcdClient) async throws {
        var options = WatchOptions()
        options.startRevision = revision + 1
        for try await response in client.watch(key, options: options) {
            if response.events.contains(where: { $0.type == .delete }) { return }
        }
    }
}
