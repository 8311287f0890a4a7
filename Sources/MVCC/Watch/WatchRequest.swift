import EtcdProto
import Foundation

/// Event types a watcher leaves out.
public struct WatchFilters: OptionSet, Sendable, Hashable {
    /// The filter bits.
    public let rawValue: UInt8

    /// The filters whose bits are set in `rawValue`.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Leave out puts (etcd's `NOPUT` filter).
    public static let noPut = WatchFilters(rawValue: 1)
    /// Leave out deletes (etcd's `NODELETE` filter).
    public static let noDelete = WatchFilters(rawValue: 2)
}

/// What a watcher follows and how.
public struct WatchRequest: Sendable, Equatable {
    /// The key or keys watched.
    public var range: KeyRange
    /// The first revision to report; 0 for "after the current revision". A revision not above the
    /// compacted one gets the compaction response and ends the watch; a future one waits for it.
    public var startRevision: Int64
    /// Event types left out.
    public var filters: WatchFilters
    /// Attach each event's previous value (`prev_kv`).
    public var prevKV: Bool
    /// The watch ID to use, or 0 to let the stream pick the lowest free one (etcd's `AutoWatchID`).
    public var watchID: Int64

    /// A watch of `range` from `startRevision`.
    public init(range: KeyRange, startRevision: Int64 = 0, filters: WatchFilters = [], prevKV: Bool = false, watchID: Int64 = 0) {
        self.range = range
        self.startRevision = startRevision
        self.filters = filters
        self.prevKV = prevKV
        self.watchID = watchID
    }

    /// The watch a gRPC create request asks for, with etcd's conventions: an empty key means the key
    /// `\0` (the smallest), `range_end` `\0` means every key from `key` on, and an empty `range_end`
    /// the key alone.
    public init(_ request: Etcdserverpb_WatchCreateRequest) {
        let key = request.key.isEmpty ? Data([0]) : request.key
        var filters: WatchFilters = []
        for filter in request.filters {
            switch filter {
            case .noput: filters.insert(.noPut)
            case .nodelete: filters.insert(.noDelete)
            case .UNRECOGNIZED: break
            }
        }
        self.init(
            range: KeyRange(key: key, rangeEnd: request.rangeEnd), startRevision: request.startRevision,
            filters: filters, prevKV: request.prevKv, watchID: request.watchID)
    }
}
