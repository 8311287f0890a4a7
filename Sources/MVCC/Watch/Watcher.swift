import EtcdProto

/// One watch: what it follows and where it stands. The mutable fields are guarded by the watch hub's
/// lock.
final class Watcher: @unchecked Sendable {
    /// Where a watcher stands.
    enum Placement {
        /// At the head of history: the apply thread hands it each new revision.
        case synced
        /// Behind: the catch-up loop reads its history from the key database.
        case unsynced
        /// Canceled, compacted or its stream closed.
        case removed
    }

    let id: Int64
    let request: WatchRequest
    unowned let stream: WatchStream
    /// The first revision the watcher has not been sent yet.
    var nextRevision: Int64
    var placement: Placement

    init(id: Int64, request: WatchRequest, stream: WatchStream, nextRevision: Int64, placement: Placement) {
        self.id = id
        self.request = request
        self.stream = stream
        self.nextRevision = nextRevision
        self.placement = placement
    }

    /// `events` minus the ones the watcher's filters leave out.
    func filter(_ events: [Mvccpb_Event]) -> [Mvccpb_Event] {
        let filters = request.filters
        guard !filters.isEmpty else { return events }
        return events.filter { event in
            switch event.type {
            case .put: !filters.contains(.noPut)
            case .delete: !filters.contains(.noDelete)
            case .UNRECOGNIZED: true
            }
        }
    }
}

/// The synced watchers, found by key: single-key watchers through a dictionary, range watchers by a
/// scan of their ranges (few in practice: prefixes of clients' key spaces).
struct WatcherGroup {
    private var byKey: [[UInt8]: [Watcher]] = [:]
    private var ranged: [Watcher] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func add(_ watcher: Watcher) {
        if watcher.request.range.isSingleKey {
            byKey[watcher.request.range.key, default: []].append(watcher)
        } else {
            ranged.append(watcher)
        }
        count += 1
    }

    mutating func remove(_ watcher: Watcher) {
        if watcher.request.range.isSingleKey {
            let key = watcher.request.range.key
            byKey[key]?.removeAll { $0 === watcher }
            if byKey[key]?.isEmpty == true {
                byKey[key] = nil
            }
        } else {
            ranged.removeAll { $0 === watcher }
        }
        count -= 1
    }

    /// Calls `body` with every watcher of `key`.
    func forEachWatcher(of key: [UInt8], _ body: (Watcher) -> Void) {
        if let watchers = byKey[key] {
            watchers.forEach(body)
        }
        for watcher in ranged where watcher.request.range.contains(key) {
            body(watcher)
        }
    }
}
