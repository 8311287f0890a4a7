import HistoryCheck
import Testing

/// The checker on histories whose answer is known: hand-written linearizable and non-linearizable ones
/// (stale reads, lost writes, double compare-and-sets, torn transactions, unanswered writes either way),
/// random valid histories, and the same with one answer changed.
@Suite struct LinearizabilityCheckerTests {
    let checker = LinearizabilityChecker(model: KeyValueModel())

    func ok(_ revision: Int64, _ reads: [String?] = []) -> KVResponse { KVResponse(succeeded: true, reads: reads, revision: revision) }
    func failed(_ revision: Int64, _ reads: [String?] = []) -> KVResponse { KVResponse(succeeded: false, reads: reads, revision: revision) }

    @Test func sequentialAndOverlappingHistoriesAreLinearizable() {
        var history = HistoryBuilder()
        history.add(0, .put("x", "1"), 0, 10, ok(2))
        history.add(1, .get("x"), 20, 30, ok(2, ["1"]))
        // A get overlapping a put may see either value.
        history.add(0, .put("x", "2"), 40, 60, ok(3))
        history.add(1, .get("x"), 45, 50, ok(2, ["1"]))
        history.add(2, .get("x"), 45, 55, ok(3, ["2"]))
        #expect(self.checker.check(history.operations).isLinearizable)
    }

    @Test func aStaleReadIsNot() {
        var history = HistoryBuilder()
        history.add(0, .put("x", "1"), 0, 10, ok(2))
        history.add(0, .put("x", "2"), 20, 30, ok(3))
        history.add(1, .get("x"), 40, 50, ok(2, ["1"]))
        history.add(1, .put("y", "1"), 60, 70, ok(4))
        let verdict = self.checker.check(history.operations)
        #expect(!verdict.isLinearizable)
        #expect(verdict.partitions == 2)
        let excerpt = try! #require(verdict.violations.first)
        #expect(excerpt.count == 3, "the shortest failing prefix ends at the stale read: \(excerpt)")
    }

    @Test func twoCompareAndSetsFromOneValueCannotBothSucceed() {
        var history = HistoryBuilder()
        history.add(0, .put("x", "0"), 0, 10, ok(2))
        history.add(1, .cas("x", expected: "0", new: "a"), 20, 40, ok(3))
        history.add(2, .cas("x", expected: "0", new: "b"), 25, 45, ok(4))
        #expect(!self.checker.check(history.operations).isLinearizable)
        var fair = HistoryBuilder()
        fair.add(0, .put("x", "0"), 0, 10, ok(2))
        fair.add(1, .cas("x", expected: "0", new: "a"), 20, 40, ok(3))
        fair.add(2, .cas("x", expected: "0", new: "b"), 25, 45, failed(3))
        #expect(self.checker.check(fair.operations).isLinearizable)
    }

    @Test func anUnansweredWriteMayOrMayNotHaveTakenEffect() {
        var seen = HistoryBuilder()
        seen.add(0, .put("x", "1"), 0, 10, ok(2))
        seen.add(1, .put("x", "2"), 20, nil, nil)
        seen.add(2, .get("x"), 100, 110, ok(3, ["2"]))
        seen.add(2, .get("x"), 120, 130, ok(3, ["2"]))
        #expect(self.checker.check(seen.operations).isLinearizable, "it took effect")
        var unseen = HistoryBuilder()
        unseen.add(0, .put("x", "1"), 0, 10, ok(2))
        unseen.add(1, .put("x", "2"), 20, nil, nil)
        unseen.add(2, .get("x"), 100, 110, ok(2, ["1"]))
        #expect(self.checker.check(unseen.operations).isLinearizable, "it did not, or not yet")
        var flapping = HistoryBuilder()
        flapping.add(0, .put("x", "1"), 0, 10, ok(2))
        flapping.add(1, .put("x", "2"), 20, nil, nil)
        flapping.add(2, .get("x"), 100, 110, ok(3, ["2"]))
        flapping.add(2, .get("x"), 120, 130, ok(3, ["1"]))
        #expect(!self.checker.check(flapping.operations).isLinearizable, "a value written once cannot come back")
        var invented = HistoryBuilder()
        invented.add(0, .put("x", "1"), 0, 10, ok(2))
        invented.add(2, .get("x"), 100, 110, ok(3, ["3"]))
        #expect(!self.checker.check(invented.operations).isLinearizable, "no write made 3")
    }

    @Test func aTransactionIsSeenWholeOrNotAtAll() {
        let both = KVRequest(success: [.put(key: "a", value: "1"), .put(key: "b", value: "1")])
        let read = KVRequest(success: [.get(key: "a"), .get(key: "b")])
        var torn = HistoryBuilder()
        torn.add(0, both, 0, 10, ok(2))
        torn.add(1, read, 5, 15, ok(2, ["1", nil]))
        #expect(!self.checker.check(torn.operations).isLinearizable)
        var whole = HistoryBuilder()
        whole.add(0, both, 0, 10, ok(2))
        whole.add(1, read, 5, 15, ok(1, [nil, nil]))
        whole.add(2, .get("b"), 20, 30, ok(2, ["1"]))
        let verdict = self.checker.check(whole.operations)
        #expect(verdict.isLinearizable)
        #expect(verdict.partitions == 1, "the transaction joins a and b")
    }

    @Test func randomValidHistoriesAreLinearizableAndOneChangedAnswerIsCaught() {
        for seed in UInt64(1)...40 {
            let history = RandomHistory.make(seed: seed, count: 200, clients: 5, keys: 4, transactions: seed % 2 == 0, unanswered: 12)
            let verdict = self.checker.check(history)
            #expect(verdict.isLinearizable, "seed \(seed): \(verdict.violations.first.map { $0.map(KeyValueModel().describe) } ?? [])")

            // A get that saw a value now sees one no write ever made.
            var broken = history
            guard let index = broken.lastIndex(where: { $0.output != nil && $0.input == .get($0.input.keys.first!) }) else { continue }
            broken[index].output!.reads = ["never-written"]
            #expect(!self.checker.check(broken).isLinearizable, "seed \(seed)")
        }
    }
}

/// The checker at the scale of a long run: 100,000 operations by 32 clients over 200 keys, with unanswered
/// writes, found linearizable (the time it took is printed; the harness's long run reports it as a figure).
@Suite struct LargeHistoryTests {
    @Test func aHundredThousandOperations() {
        let history = RandomHistory.make(seed: 7, count: 100_000, clients: 32, keys: 200, unanswered: 2_000)
        let clock = ContinuousClock()
        let start = clock.now
        let verdict = LinearizabilityChecker(model: KeyValueModel()).check(history)
        print("checked \(verdict.operations) operations in \(verdict.partitions) partitions in \(clock.now - start)")
        #expect(verdict.isLinearizable)
    }
}
