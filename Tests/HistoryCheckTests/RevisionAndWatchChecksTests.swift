import HistoryCheck
import Testing

/// The revision and watch checks on hand-written histories: each broken promise is reported, and a
/// history that keeps them all passes.
@Suite struct RevisionAndWatchChecksTests {
    func ok(_ revision: Int64, _ reads: [String?] = []) -> KVResponse { KVResponse(succeeded: true, reads: reads, revision: revision) }

    var history: [Operation<KVRequest, KVResponse>] {
        var history = HistoryBuilder()
        history.add(0, .put("w/a", "1"), 0, 10, ok(2))
        history.add(1, .put("w/b", "1"), 20, 30, ok(3))
        history.add(0, .put("w/a", "2"), 40, nil, nil)
        history.add(2, .get("w/a"), 50, 60, ok(4, ["2"]))
        return history.operations
    }

    @Test func revisionsThatKeepThePromisesPass() {
        #expect(RevisionChecks.check(self.history).isEmpty)
    }

    @Test func aSharedOrBackwardRevisionIsReported() {
        var shared = HistoryBuilder()
        shared.add(0, .put("a", "1"), 0, 10, ok(2))
        shared.add(1, .put("b", "1"), 5, 15, ok(2))
        #expect(RevisionChecks.check(shared.operations).map(\.kind) == ["two writes at revision 2"])

        var backward = HistoryBuilder()
        backward.add(0, .put("a", "1"), 0, 10, ok(5))
        backward.add(1, .get("a"), 20, 30, ok(4, ["1"]))
        backward.add(1, .put("a", "2"), 40, 50, ok(5))
        let kinds = RevisionChecks.check(backward.operations).map(\.kind)
        #expect(kinds.contains("revision went back in real time: 4 after 5 was answered"), "\(kinds)")
        #expect(kinds.contains("two writes at revision 5"), "\(kinds)")

        var stale = HistoryBuilder()
        stale.add(0, .put("a", "1"), 0, 10, ok(5))
        stale.add(1, .get("a", serializable: true), 20, 30, ok(4, [nil]))
        #expect(RevisionChecks.check(stale.operations).isEmpty, "a serializable read may lag")
    }

    typealias Event = WatchLog.Event

    @Test func watchesThatKeepThePromisesPass() {
        let events = [Event(revision: 2, key: "w/a", value: "1"), Event(revision: 3, key: "w/b", value: "1"), Event(revision: 4, key: "w/a", value: "2")]
        let watches = [
            WatchLog(watcher: "on m1", prefix: "w/", startRevision: 1, events: events),
            WatchLog(watcher: "on m2", prefix: "w/", startRevision: 3, events: Array(events.dropFirst())),
            WatchLog(watcher: "on m3", prefix: "w/", startRevision: 1, events: [events[2]], compactedAt: 3),
        ]
        #expect(WatchChecks.check(watches, history: self.history).isEmpty, "\(WatchChecks.check(watches, history: self.history))")
    }

    @Test func eachBrokenWatchPromiseIsReported() {
        func kinds(_ events: [Event], start: Int64 = 1) -> [String] {
            WatchChecks.check([WatchLog(watcher: "w", prefix: "w/", startRevision: start, events: events)], history: self.history).map(\.kind)
        }
        let a1 = Event(revision: 2, key: "w/a", value: "1")
        let b1 = Event(revision: 3, key: "w/b", value: "1")
        let a2 = Event(revision: 4, key: "w/a", value: "2")
        #expect(kinds([b1, a1, a2]).contains("w: events out of order"))
        #expect(kinds([a1, a1, b1, a2]).contains("w: an event delivered twice"))
        #expect(kinds([a1, a2]) == ["w: revision 3 missing between 1 and 4"])
        #expect(kinds([a1, Event(revision: 3, key: "w/b", value: "9"), a2]).contains("w: an event that is not the write at its revision"))
        #expect(kinds([a1, b1, a2, Event(revision: 5, key: "w/c", value: "1")]).contains("w: an event no write made"))
        #expect(kinds([a1, b1, a2], start: 3).contains("w: an event before the start revision 3"))

        let disagreeing = [
            WatchLog(watcher: "one", prefix: "w/", startRevision: 1, events: [a1, b1, a2, Event(revision: 5, key: "w/a", value: "2")]),
            WatchLog(watcher: "two", prefix: "w/", startRevision: 1, events: [a1, b1, a2]),
        ]
        let reported = WatchChecks.check(disagreeing, history: self.history).map(\.kind)
        #expect(reported == ["one: one write seen at revisions 4 and 5"], "the unanswered write of w/a = 2 made one revision: \(reported)")

        let split = [
            WatchLog(watcher: "one", prefix: "w/", startRevision: 1, events: [a1, b1, a2]),
            WatchLog(watcher: "two", prefix: "w/", startRevision: 1, events: [a1, Event(revision: 3, key: "w/c", value: "1"), a2]),
        ]
        let differing = WatchChecks.check(split, history: self.history).map(\.kind)
        #expect(differing.contains("two and one saw different events at revision 3"), "\(differing)")
    }
}
