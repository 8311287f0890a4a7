import EtcdProto
import Foundation

/// What a watch covers and reports, as clientv3's watch options set it.
public struct WatchOptions: Sendable {
    /// The end of the watched range (exclusive); nil for the one key, `[0]` for every key from the key on.
    public var rangeEnd: [UInt8]?
    /// The first revision to report; 0 for what happens after the watch is created.
    public var startRevision: Int64 = 0
    /// Report each event's previous key-value.
    public var previousValues = false
    /// Leave out puts (`noPut`) or deletes (`noDelete`).
    public var filters: [Etcdserverpb_WatchCreateRequest.FilterType] = []
    /// Ask the member for periodic progress responses while nothing happens.
    public var progressNotify = false
    /// Let the member split large revisions into fragments (reassembled before they are yielded).
    public var fragment = false

    /// Options with etcd's defaults: the one key, from now on.
    public init() {}

    /// Watches every key starting with the watched key.
    public static func prefix(of key: [UInt8]) -> WatchOptions {
        var options = WatchOptions()
        options.rangeEnd = RangeRequests.prefixEnd(of: key)
        return options
    }

    func createRequest(key: [UInt8], from revision: Int64) -> Etcdserverpb_WatchRequest {
        var create = Etcdserverpb_WatchCreateRequest()
        create.key = Data(key.isEmpty && self.rangeEnd != nil ? [0] : key)
        if let rangeEnd = self.rangeEnd { create.rangeEnd = Data(rangeEnd) }
        create.startRevision = revision
        create.prevKv = self.previousValues
        create.filters = self.filters
        create.progressNotify = self.progressNotify
        create.fragment = self.fragment
        var request = Etcdserverpb_WatchRequest()
        request.createRequest = create
        return request
    }
}

/// A watch ended because its start (or its resume point after a failover) is older than the compacted
/// history: etcd's compaction error, with the revision the history now starts after.
public struct WatchCompactedError: Error, Sendable, CustomStringConvertible {
    /// The compaction revision the member reported.
    public let compactRevision: Int64

    public var description: String { EtcdError.compacted.message }
}
