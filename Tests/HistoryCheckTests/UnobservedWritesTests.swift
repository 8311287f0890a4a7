import HistoryCheck
import Testing

/// Pruning unanswered writes no one saw: those whose value a read, a successful comparison, a failed
/// comparison's read or a watch event shows are kept, the others go, and the verdict stays the same.
@Suite struct UnobservedWritesTests {
    func ok(_ revision: Int64, _ reads: [String?] = []) -> KVResponse { KVResponse(succeeded: true, reads: reads, revision: revision) }

    func casReading(_ key: String, expected: String?, new: String) -> KVRequest {
        KVRequest(compares: [KVRequest.Compare(key: key, value: expected)], success: [.put(key: key, value: new)], failure: [.get(key: key)])
    }

    @Test func writesNoOneSawGoAndTheOthersStay() {
        var history = HistoryBuilder()
        history.add(0, .put("x", "lost"), 0, nil, nil)
        history.add(1, .put("x", "read"), 0, nil, nil)
        history.add(2, .put("x", "compared"), 0, nil, nil)
        history.add(3, .put("x", "watched"), 0, nil, nil)
        history.add(4, .put("y", "failed-compare"), 0, nil, nil)
        history.add(5, .delete("x"), 0, nil, nil)
        history.add(6, .get("x"), 10, 20, ok(3, ["read"]))
        history.add(6, casReading("x", expected: "compared", new: "n1"), 30, 40, ok(4))
        history.add(6, casReading("y", expected: nil, new: "n2"), 50, 60, KVResponse(succeeded: false, reads: ["failed-compare"], revision: 5))
        let watches = [WatchLog(watcher: "w", prefix: "", startRevision: 1, events: [WatchLog.Event(revision: 2, key: "x", value: "watched")])]
        let pruned = UnobservedWrites.prune(history.operations, watches: watches)
        let unanswered = pruned.filter { $0.output == nil }.map(\.client)
        #expect(unanswered == [1, 2, 3, 4, 5], "only the write of a value no one saw goes")
        #expect(pruned.count == history.operations.count - 1)
    }

    @Test func theVerdictStaysTheSame() {
        let checker = LinearizabilityChecker(model: KeyValueModel())
        var valid = HistoryBuilder()
        valid.add(0, .put("x", "1"), 0, 10, ok(2))
        valid.add(1, .put("x", "never-seen"), 15, nil, nil)
        valid.add(2, casReading("x", expected: "1", new: "2"), 20, 30, ok(3))
        valid.add(2, .get("x"), 40, 50, ok(3, ["2"]))
        #expect(checker.check(valid.operations).isLinearizable)
        #expect(checker.check(UnobservedWrites.prune(valid.operations, watches: [])).isLinearizable)

        var stale = valid
        stale.add(3, .get("x"), 60, 70, ok(3, ["1"]))
        #expect(!checker.check(stale.operations).isLinearizable)
        #expect(!checker.check(UnobservedWrites.prune(stale.operations, watches: [])).isLinearizable)
    }
}
