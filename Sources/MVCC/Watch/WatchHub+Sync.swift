import Backend
import EtcdProto

/// The catch-up loop: brings unsynced watchers to the head of history by reading the key database,
/// without holding the hub's lock while it reads (so writes never wait for it).
extension WatchHub {
    /// Revisions a catching-up watcher may still be behind when the round ends for it to be moved to
    /// synced by reading that tail under the lock (a short read, since writes are what creates the gap).
    static let maxTailRevisions: Int64 = 64

    private struct Plan {
        var watchers: [(watcher: Watcher, next: Int64)]
        var current: Int64
        var compacted: Int64
        /// Watchers passed over because their stream was full.
        var blocked: Bool
        /// Watchers passed over because the round had its `maxWatchersPerSync`.
        var limited: Bool
    }

    private struct Delivery {
        var watcher: Watcher
        var expectedNext: Int64
        var events: [Mvccpb_Event]
        var through: Int64
    }

    /// One round. Watchers whose stream is full wait for the consumer to free room, and the loop pauses
    /// before serving them (see ``WatchSyncOutcome/blocked``).
    func syncRound() -> WatchSyncOutcome {
        guard let plan = choose() else { return .idle }
        guard !plan.watchers.isEmpty else { return plan.blocked ? .blocked : .idle }
        let deliveries: [Delivery]
        do {
            deliveries = try read(plan)
        } catch {
            report(error)
            return .idle
        }
        return deliver(deliveries, plan: plan)
    }

    /// Picks the unsynced watchers to serve: retires the compacted ones, skips those whose stream has
    /// no room, and promotes those already at the head.
    private func choose() -> Plan? {
        state.withLock { state -> Plan? in
            guard !state.closed, !state.unsynced.isEmpty else { return nil }
            let current = store.currentRevision
            let compacted = store.compactedRevision
            var chosen: [(watcher: Watcher, next: Int64)] = []
            var blocked = false
            var limited = false
            for watcher in Array(state.unsynced.values) {
                if watcher.nextRevision < compacted {
                    let notice = WatchResponse(kind: .compacted, watchID: watcher.id, revision: current, compactRevision: compacted)
                    if watcher.stream.queue.enqueueEvent(notice, previousValues: false) {
                        Self.forget(watcher, &state)
                        watcher.stream.queue.remove(watcher.id, dropQueued: false)
                        fulfilDeferredProgress(of: watcher.stream)
                    }
                    continue
                }
                if watcher.nextRevision > current {
                    promote(watcher, next: watcher.nextRevision, &state)
                    continue
                }
                guard chosen.count < configuration.maxWatchersPerSync else {
                    limited = true
                    continue
                }
                if watcher.stream.queue.hasEventRoomElseAskForWake() {
                    chosen.append((watcher, watcher.nextRevision))
                } else {
                    blocked = true
                }
            }
            return Plan(watchers: chosen, current: current, compacted: compacted, blocked: blocked, limited: limited)
        }
    }

    /// Reads the chosen watchers' missing history, in windows of `watchBatchMaxRevisions` revisions.
    private func read(_ plan: Plan) throws(KVError) -> [Delivery] {
        let view = try store.readView()
        defer { view.close() }
        let ordered = plan.watchers.sorted { $0.next < $1.next }
        var deliveries: [Delivery] = []
        var position = 0
        while position < ordered.count {
            let start = ordered[position].next
            let through = min(plan.current, start + Int64(configuration.watchBatchMaxRevisions) - 1)
            var group: [(watcher: Watcher, next: Int64)] = []
            while position < ordered.count, ordered[position].next <= through {
                group.append(ordered[position])
                position += 1
            }
            let events = try events(from: start, through: through, for: group.map(\.watcher), view: view)
            // Watchers that take every event share one array, which the client API encodes once.
            var all: [Mvccpb_Event]?
            for member in group {
                let mine = events.filter { $0.watchers.contains { $0 === member.watcher } && $0.event.kv.modRevision >= member.next }
                let shared: [Mvccpb_Event]
                if mine.count == events.count {
                    shared = all ?? events.map(\.event)
                    all = shared
                } else {
                    shared = mine.map(\.event)
                }
                deliveries.append(Delivery(watcher: member.watcher, expectedNext: member.next, events: shared, through: through))
            }
        }
        return deliveries
    }

    /// Hands the read history to the watchers still waiting for it, and moves to synced those that
    /// reached the head. The loop runs again at once for watchers this round moved on that can take more
    /// now (history beyond one window, a tail too long to read under the lock, the per-round limit); those
    /// behind a full stream wait for a tick.
    private func deliver(_ deliveries: [Delivery], plan: Plan) -> WatchSyncOutcome {
        state.withLock { state -> WatchSyncOutcome in
            guard !state.closed else { return .idle }
            // A compaction published meanwhile may have removed history the view did not hold.
            guard store.compactedRevision == plan.compacted else { return .again }
            var caughtUp: [Watcher] = []
            var advanced: [Watcher] = []
            var blocked = plan.blocked
            for delivery in deliveries {
                let watcher = delivery.watcher
                guard watcher.placement == .unsynced, watcher.nextRevision == delivery.expectedNext else { continue }
                let events = watcher.filter(delivery.events)
                if !events.isEmpty {
                    let response = WatchResponse(kind: .events, watchID: watcher.id, revision: plan.current, events: events)
                    guard watcher.stream.queue.enqueueEvent(response, previousValues: watcher.request.prevKV) else {
                        blocked = true
                        continue
                    }
                }
                advanced.append(watcher)
                watcher.nextRevision = delivery.through + 1
                if watcher.nextRevision > plan.current {
                    caughtUp.append(watcher)
                }
            }
            promoteAtHead(caughtUp, from: plan.current, &state)
            guard !state.unsynced.isEmpty else { return .idle }
            for watcher in advanced where watcher.placement == .unsynced {
                if watcher.stream.queue.hasEventRoom { return .again }
                blocked = true
            }
            if plan.limited && !advanced.isEmpty { return .again }
            return blocked ? .blocked : .idle
        }
    }

    /// Moves watchers that have everything up to `readThrough` to synced, reading the revisions
    /// committed since under the lock when there are few of them. Caller holds the hub's lock.
    private func promoteAtHead(_ watchers: [Watcher], from readThrough: Int64, _ state: inout State) {
        guard !watchers.isEmpty else { return }
        let now = store.currentRevision
        if now == readThrough {
            for watcher in watchers {
                promote(watcher, next: now + 1, &state)
            }
            return
        }
        guard now - readThrough <= Self.maxTailRevisions else { return }
        let tail: [(event: Mvccpb_Event, watchers: [Watcher])]
        do {
            let view = try store.readView()
            defer { view.close() }
            tail = try events(from: readThrough + 1, through: now, for: watchers, view: view)
        } catch {
            // They stay unsynced; the next round reads the tail again.
            report(error)
            return
        }
        for watcher in watchers {
            let events = watcher.filter(tail.filter { $0.watchers.contains { $0 === watcher } }.map(\.event))
            if !events.isEmpty {
                let response = WatchResponse(kind: .events, watchID: watcher.id, revision: now, events: events)
                guard watcher.stream.queue.enqueueEvent(response, previousValues: watcher.request.prevKV) else { continue }
            }
            promote(watcher, next: now + 1, &state)
        }
    }

    /// Reports a failed catch-up read, unless the store was closed under it.
    private func report(_ error: KVError) {
        guard error != .closed, error.backendError != .closed else { return }
        configuration.watchSyncFailed?(error)
    }

    /// Moves an unsynced watcher to synced at `next`. Caller holds the hub's lock.
    private func promote(_ watcher: Watcher, next: Int64, _ state: inout State) {
        state.unsynced[ObjectIdentifier(watcher)] = nil
        watcher.nextRevision = next
        watcher.placement = .synced
        state.synced.add(watcher)
        fulfilDeferredProgress(of: watcher.stream)
    }

    /// The events of revisions `from...through` on keys some of `watchers` follow, in revision order,
    /// each with the watchers it concerns. Only those values are decoded.
    private func events(
        from: Int64, through: Int64, for watchers: [Watcher], view: ReadView
    ) throws(KVError) -> [(event: Mvccpb_Event, watchers: [Watcher])] {
        var found: [(event: Mvccpb_Event, watchers: [Watcher])] = []
        var corrupt: Revision?
        do {
            let start = RevisionKey.encode(Revision(main: from))
            let end = RevisionKey.encode(Revision(main: through + 1))
            try view.scan(store.keyDatabase, from: start, to: end) { revisionBytes, valueBytes in
                guard let key = KeyValueFields.key(valueBytes) else {
                    corrupt = RevisionKey.decode(revisionBytes)
                    return false
                }
                let interested = watchers.filter { $0.request.range.contains(key) }
                guard !interested.isEmpty else { return true }
                guard var keyValue = KeyValueCoding.decode(valueBytes) else {
                    corrupt = RevisionKey.decode(revisionBytes)
                    return false
                }
                var event = Mvccpb_Event()
                if RevisionKey.isTombstone(revisionBytes) {
                    event.type = .delete
                    keyValue.modRevision = RevisionKey.decode(revisionBytes).main
                } else {
                    event.type = .put
                }
                event.kv = keyValue
                found.append((event, interested))
                return true
            }
        } catch {
            throw .backend(error)
        }
        if let corrupt {
            throw .corrupt("the value at revision \(corrupt) is not a KeyValue")
        }
        return found
    }
}
