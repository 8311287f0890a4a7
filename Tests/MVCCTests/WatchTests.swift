import EtcdProto
import Foundation
import MVCC
import Testing

/// Reads responses of a stream, with a deadline so that a missing response fails the test instead of
/// hanging it.
struct WatchReader {
    private var iterator: WatchStream.Iterator

    init(_ stream: WatchStream) {
        iterator = stream.makeAsyncIterator()
    }

    /// Responses taking longer than this fail the test.
    static let timeout: Duration = .seconds(30)

    mutating func next(sourceLocation: SourceLocation = #_sourceLocation) async throws -> WatchResponse {
        let iterator = self.iterator
        let response = await withTaskGroup(of: WatchResponse?.self) { group in
            group.addTask {
                var reading = iterator
                return await reading.next()
            }
            group.addTask {
                try? await Task.sleep(for: Self.timeout)
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        return try #require(response, "no response within \(Self.timeout), or the stream ended", sourceLocation: sourceLocation)
    }

    /// The next response, or nil when the stream ended.
    mutating func nextOrNil() async -> WatchResponse? {
        await iterator.next()
    }

    /// Reads until `count` events of kind `.events` for any watch arrived; returns the responses.
    mutating func events(count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [WatchResponse] {
        var responses: [WatchResponse] = []
        var seen = 0
        while seen < count {
            let response = try await next(sourceLocation: sourceLocation)
            if response.kind == .events {
                seen += response.events.count
            }
            responses.append(response)
        }
        return responses
    }
}

@Suite struct WatchTests {
    private func range(_ key: String, _ end: String? = nil) -> KeyRange {
        KeyRange(key: bytes(key), end: end.map(bytes))
    }

    @Test func aWatchSeesCreatedThenEventsWithPreviousValuesAndFilters() async throws {
        let fixture = try StoreFixture(applyThread: true)
        try fixture.write { try fixture.put("k", "0"); try fixture.store.commit() }
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        let all = try await stream.watch(WatchRequest(range: range("k"), prevKV: true))
        let noPut = try await stream.watch(WatchRequest(range: range("k"), filters: .noPut))
        let noDelete = try await stream.watch(WatchRequest(range: range("k"), filters: .noDelete))
        #expect([all, noPut, noDelete] == [0, 1, 2])
        for id in [all, noPut, noDelete] {
            let created = try await reader.next()
            #expect(created.kind == .created)
            #expect(created.watchID == id)
            #expect(created.revision == 2)
        }
        try fixture.write {
            try fixture.put("k", "1")
            try fixture.put("other", "x")
            try fixture.delete("k")
            try fixture.put("k", "2")
        }
        var byWatch: [Int64: [Mvccpb_Event]] = [:]
        for response in try await reader.events(count: 3 + 1 + 2) {
            byWatch[response.watchID, default: []] += response.events
        }
        let allEvents = try #require(byWatch[all])
        #expect(allEvents.map(\.type) == [.put, .delete, .put])
        #expect(allEvents.map(\.kv.modRevision) == [3, 5, 6])
        #expect(allEvents[0].prevKv.value.text == "0")
        #expect(allEvents[1].prevKv.value.text == "1", "a delete carries the value it removed")
        #expect(allEvents[1].kv.key.text == "k")
        #expect(!allEvents[2].hasPrevKv, "a creating put has no previous value")
        #expect(byWatch[noPut]?.map(\.type) == [.delete])
        #expect(byWatch[noDelete]?.map(\.kv.modRevision) == [3, 6])
        #expect(byWatch[noDelete]?.allSatisfy { !$0.hasPrevKv } == true)
        stream.close()
        #expect(await reader.nextOrNil() == nil)
    }

    @Test func eventsOfOneRevisionArriveTogetherInTxnOrder() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        _ = try await stream.watch(WatchRequest(range: range("a", "z")))
        _ = try await reader.next()
        try fixture.write {
            _ = try fixture.applier.txn(Txn.request(success: [Txn.put("q", "1"), Txn.put("c", "1"), Txn.put("m", "1")]))
            _ = try fixture.applier.txn(Txn.request(success: [Txn.delete("c"), Txn.put("zz", "out of range"), Txn.put("b", "2")]))
        }
        let first = try await reader.next()
        #expect(first.events.map(\.kv.key.text) == ["q", "c", "m"])
        #expect(first.revision == 2)
        let second = try await reader.next()
        #expect(second.events.map(\.kv.key.text) == ["c", "b"])
        #expect(second.events.map(\.type) == [.delete, .put])
        #expect(Set(second.events.map(\.kv.modRevision)) == [3])
        stream.close()
    }

    @Test func aWatchResumesFromAPastRevisionWithoutGapsOrRepeats() async throws {
        let fixture = try StoreFixture(applyThread: true)
        try fixture.write {
            for index in 0..<30 {
                try fixture.put("k\(index % 3)", "\(index)")
            }
        }
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        _ = try await stream.watch(WatchRequest(range: range("k", "l"), startRevision: 10))
        #expect(try await reader.next().kind == .created)
        try fixture.write {
            for index in 30..<40 {
                try fixture.put("k\(index % 3)", "\(index)")
            }
        }
        let revisions = try await reader.events(count: 32).flatMap(\.events).map(\.kv.modRevision)
        #expect(revisions == Array(10...41))
        stream.close()
    }

    @Test func aCompactedStartRevisionEndsTheWatchWithTheCompactRevision() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let deleteRevision = try fixture.write { () throws -> Int64 in
            try fixture.put("k", "1")
            try fixture.put("k", "2")
            let revision = try fixture.delete("k").header.revision
            try fixture.put("k", "3")
            _ = try fixture.store.compact(revision)
            try fixture.finishMaintenance()
            return revision
        }
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        let early = try await stream.watch(WatchRequest(range: range("k"), startRevision: 2))
        #expect(try await reader.next().kind == .created)
        let compacted = try await reader.next()
        #expect(compacted.kind == .compacted)
        #expect(compacted.watchID == early)
        #expect(compacted.compactRevision == deleteRevision)
        #expect(compacted.message.canceled)
        #expect(compacted.message.compactRevision == deleteRevision)

        _ = try await stream.watch(WatchRequest(range: range("k"), startRevision: deleteRevision))
        #expect(try await reader.next().kind == .created)
        let events = try await reader.events(count: 2).flatMap(\.events)
        #expect(events.map(\.type) == [.delete, .put], "the delete at the compacted revision is still delivered")
        do {
            _ = try await stream.watch(WatchRequest(range: range("k"), startRevision: -1))
            Issue.record("a negative start revision is refused")
        } catch {
            #expect(error == .compacted)
        }
        stream.close()
    }

    @Test func aSlowConsumerNeverStallsTheWriterAndCatchesUpExactlyOnce() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let stream = fixture.store.makeWatchStream(capacity: 4)
        var reader = WatchReader(stream)
        _ = try await stream.watch(WatchRequest(range: range("k", "l"), prevKV: true))
        _ = try await stream.watch(WatchRequest(range: range("k1")))
        _ = try await reader.next()
        _ = try await reader.next()
        let revisions = 3000
        let started = ContinuousClock.now
        try fixture.write {
            for index in 0..<revisions {
                try fixture.put("k\(index % 7)", "\(index)")
            }
        }
        let writeTime = ContinuousClock.now - started
        #expect(writeTime < .seconds(60), "the writer finished while nobody read")
        var seen: [Int64: [Int64]] = [:]
        while seen[0, default: []].count < revisions || seen[1, default: []].count < revisions / 7 {
            let response = try await reader.next()
            #expect(response.kind == .events)
            for event in response.events {
                seen[response.watchID, default: []].append(event.kv.modRevision)
                if response.watchID == 0, event.kv.modRevision > 8 {
                    #expect(event.prevKv.modRevision == event.kv.modRevision - 7)
                }
            }
        }
        #expect(seen[0] == Array(2...Int64(revisions + 1)))
        #expect(seen[1] == Array(stride(from: 3, through: Int64(revisions + 1), by: 7)))
        try fixture.write { try fixture.put("k0", "live") }
        #expect(try await reader.next().events.map(\.kv.value.text) == ["live"])
        stream.close()
    }

    /// A stream that stays full while its slow consumer takes one response at a time: its watchers catch up a
    /// tick's worth of revisions per response, not a trickle of one or two (etcd's slow watchers wait for
    /// its 100 ms sync likewise), and still see every revision once, in order.
    @Test func aFullStreamsWatchersCatchUpInFewLargeResponses() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let capacity = 4
        let stream = fixture.store.makeWatchStream(capacity: capacity)
        var reader = WatchReader(stream)
        let watchers = 10
        for _ in 0..<watchers {
            _ = try await stream.watch(WatchRequest(range: range("k")))
            _ = try await reader.next()
        }
        let revisions = 1000
        let started = ContinuousClock.now
        let writer = Task.detached {
            for index in 0..<revisions {
                _ = try fixture.write { try fixture.put("k", "\(index)") }
                try await Task.sleep(for: .microseconds(500))
            }
        }
        var seen: [Int64: [Int64]] = [:]
        var responses = 0
        while seen.values.reduce(0, { $0 + $1.count }) < watchers * revisions {
            let response = try await reader.next()
            #expect(response.kind == .events)
            responses += 1
            seen[response.watchID, default: []].append(contentsOf: response.events.map(\.kv.modRevision))
            try await Task.sleep(for: .milliseconds(1))
        }
        try await writer.value
        for id in 0..<Int64(watchers) {
            #expect(seen[id] == Array(2...Int64(revisions + 1)), "watch \(id)")
        }
        // A tick lets each watcher catch up about once and the stream take `capacity` responses of synced
        // watchers before it is full again (twice that, for margin); a trickle of small catch-ups takes many
        // more. Counted in ticks so that a loaded machine, which stretches the run, does not fail it.
        let ticks = Int((ContinuousClock.now - started) / StoreConfiguration.defaultWatchSyncInterval) + 2
        #expect(responses <= 2 * ticks * (watchers + capacity), "\(responses) responses in \(ticks) ticks")
        stream.close()
    }

    /// A stream nobody reads pauses the catch-up loop for a tick after each round, but a watcher of
    /// another stream that is still catching up goes on at once: here 20 windows of 100 revisions, which
    /// a pause of a tick per window would stretch to about 40 seconds.
    @Test func aFullStreamDoesNotSlowAnotherStreamsCatchUp() async throws {
        let fixture = try StoreFixture(applyThread: true, configureStore: { store in
            store.watchSyncInterval = .seconds(1)
            store.watchBatchMaxRevisions = 100
        })
        let stuck = fixture.store.makeWatchStream(capacity: 1)
        var stuckReader = WatchReader(stuck)
        _ = try await stuck.watch(WatchRequest(range: range("k")))
        _ = try await stuckReader.next()
        let revisions = 2000
        try fixture.write {
            for index in 0..<revisions {
                try fixture.put("k", "\(index)")
            }
        }
        let stream = fixture.store.makeWatchStream(capacity: 128)
        var reader = WatchReader(stream)
        let started = ContinuousClock.now
        _ = try await stream.watch(WatchRequest(range: range("k"), startRevision: 2))
        _ = try await reader.next()
        // At most one tick's pause before the first window, then none (the margin is for loaded machines).
        let deadline = started + .seconds(20)
        var seen: [Int64] = []
        while seen.count < revisions, ContinuousClock.now < deadline {
            seen += try await reader.next().events.map(\.kv.modRevision)
        }
        try #require(seen.count == revisions, "\(seen.count) events in \(ContinuousClock.now - started)")
        #expect(seen == Array(2...Int64(revisions + 1)))
        stuck.close()
        stream.close()
    }

    @Test func cancelDropsTheWatchAndItsPendingEvents() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        let first = try await stream.watch(WatchRequest(range: range("a")))
        let second = try await stream.watch(WatchRequest(range: range("b")))
        try fixture.write {
            try fixture.put("a", "1")
            try fixture.put("b", "1")
        }
        try await stream.cancel(watchID: first)
        do {
            try await stream.cancel(watchID: first)
            Issue.record("a second cancel fails")
        } catch {
            #expect(error == .watcherNotFound)
            #expect(error.message == "mvcc: watcher does not exist")
        }
        try fixture.write { try fixture.put("a", "2") }
        var kinds: [(WatchResponse.Kind, Int64)] = []
        for _ in 0..<4 {
            let response = try await reader.next()
            kinds.append((response.kind, response.watchID))
        }
        #expect(kinds.map(\.0) == [.created, .created, .events, .canceled])
        #expect(kinds[2].1 == second)
        #expect(kinds[3].1 == first)
        try fixture.write { try fixture.put("b", "2") }
        let next = try await reader.next()
        #expect(next.watchID == second)
        #expect(next.events.first?.kv.value.text == "2")
        stream.close()
    }

    @Test func watchEventsAreCountedAsQueuedThenSentOrDropped() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let statistics = fixture.store.statistics
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        _ = try await stream.watch(WatchRequest(range: range("a")))
        #expect(try await reader.next().kind == .created)
        try fixture.write {
            try fixture.put("a", "1")
            try fixture.put("a", "2")
        }
        #expect(statistics.pendingEventCount == 2, "queued while no one reads")
        #expect(statistics.sentEventCount == 0)
        _ = try await reader.events(count: 2)
        #expect(statistics.pendingEventCount == 0)
        #expect(statistics.sentEventCount == 2)
        try fixture.write { try fixture.put("a", "3") }
        #expect(statistics.pendingEventCount == 1)
        stream.close()
        #expect(statistics.pendingEventCount == 0, "a closed stream's queued events are dropped, not sent")
        #expect(statistics.sentEventCount == 2)
    }

    @Test func progressComesAfterEveryEventUpToItsRevision() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let stream = fixture.store.makeWatchStream(capacity: 2)
        var reader = WatchReader(stream)
        try await stream.requestProgress()
        _ = try await stream.watch(WatchRequest(range: range("k")))
        #expect(try await reader.next().kind == .created, "a stream without watches gets no progress")
        try fixture.write {
            for index in 0..<20 {
                try fixture.put("k", "\(index)")
            }
        }
        try await stream.requestProgress()
        var lastEvent: Int64 = 0
        while true {
            let response = try await reader.next()
            if response.kind == .progress {
                #expect(response.watchID == WatchResponse.streamWatchID)
                #expect(response.revision == 21)
                #expect(lastEvent == 21, "every event up to the progress revision came first")
                break
            }
            lastEvent = response.events.last?.kv.modRevision ?? lastEvent
        }
        stream.requestProgress(watchID: 0)
        let single = try await reader.next()
        #expect(single.kind == .progress)
        #expect(single.watchID == 0)
        #expect(single.revision == 21)
        stream.close()
    }

    @Test func watchIDsFutureStartsAndInvalidRequests() async throws {
        let fixture = try StoreFixture(applyThread: true)
        let stream = fixture.store.makeWatchStream()
        var reader = WatchReader(stream)
        #expect(try await stream.watch(WatchRequest(range: range("a"), watchID: 5)) == 5)
        do {
            _ = try await stream.watch(WatchRequest(range: range("b"), watchID: 5))
            Issue.record("duplicate watch IDs are refused")
        } catch {
            #expect(error == .duplicateWatchID)
        }
        do {
            _ = try await stream.watch(WatchRequest(range: range("b", "a")))
            Issue.record("an empty range is refused")
        } catch {
            #expect(error == .emptyWatcherRange)
            #expect(error.message == "mvcc: watcher range is empty")
        }
        #expect(try await stream.watch(WatchRequest(range: range("f"), startRevision: 4)) == 0)
        _ = try await reader.next()
        _ = try await reader.next()
        try fixture.write {
            for index in 0..<5 {
                try fixture.put("f", "\(index)")
            }
        }
        let events = try await reader.events(count: 3).flatMap(\.events)
        #expect(events.map(\.kv.modRevision) == [4, 5, 6])
        let fromCreate = WatchRequest(Etcdserverpb_WatchCreateRequest.with {
            $0.rangeEnd = Data([0])
            $0.filters = [.nodelete]
            $0.prevKv = true
        })
        #expect(fromCreate.range == KeyRange(key: [0], end: []))
        #expect(fromCreate.filters == .noDelete)
        #expect(fromCreate.prevKV)
        stream.close()
        do {
            _ = try await stream.watch(WatchRequest(range: range("a")))
            Issue.record("a closed stream refuses watches")
        } catch {
            #expect(error == .closed)
        }
    }
}
