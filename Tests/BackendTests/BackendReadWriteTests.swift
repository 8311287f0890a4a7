import Backend
import Testing

@Suite struct BackendReadWriteTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func open(_ directory: TemporaryDirectory, quota: Int64 = 0) throws -> Backend {
        try Backend(configuration: BackendConfiguration(path: directory.file("db"), quotaBytes: quota))
    }

    private func contents(_ view: ReadView, _ database: Database) throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        try view.scan(database) { key, value in
            result[Array(key)] = Array(value)
            return true
        }
        return result
    }

    @Test func appliedWritesAreVisibleBeforeTheCommitAndDurableAfterIt() throws {
        let directory = TemporaryDirectory()
        let backend = try open(directory)
        let meta = backend.database("meta")
        try backend.writer.apply([.put(meta, key: bytes("a"), value: bytes("1"))])
        let view = try backend.read()
        #expect(try view.get(meta, bytes("a")) == bytes("1"))
        view.close()
        try backend.writer.commit()
        backend.close()

        let reopened = try open(directory)
        let after = try reopened.read()
        #expect(try after.get(meta, bytes("a")) == bytes("1"))
        after.close()
        reopened.close()
    }

    @Test func uncommittedWritesAreLostOnClose() throws {
        let directory = TemporaryDirectory()
        let backend = try open(directory)
        let meta = backend.database("meta")
        try backend.writer.apply([.put(meta, key: bytes("kept"), value: bytes("1"))])
        try backend.writer.commit()
        try backend.writer.apply([.put(meta, key: bytes("lost"), value: bytes("2"))])
        backend.close()

        let reopened = try open(directory)
        let view = try reopened.read()
        #expect(try contents(view, meta) == [bytes("kept"): bytes("1")])
        view.close()
        reopened.close()
    }

    @Test func aViewIsASnapshotOfItsOpeningInstant() throws {
        let directory = TemporaryDirectory()
        let backend = try open(directory)
        let meta = backend.database("meta")
        try backend.writer.apply([.put(meta, key: bytes("a"), value: bytes("1"))])
        let before = try backend.read()
        try backend.writer.apply([.put(meta, key: bytes("a"), value: bytes("2")), .put(meta, key: bytes("b"), value: bytes("3"))])
        try backend.writer.commit()
        try backend.writer.apply([.delete(meta, key: bytes("a"))])
        let middle = try backend.read()
        try backend.writer.commit()
        let after = try backend.read()

        #expect(try contents(before, meta) == [bytes("a"): bytes("1")])
        #expect(try contents(middle, meta) == [bytes("b"): bytes("3")])
        #expect(try contents(after, meta) == [bytes("b"): bytes("3")])
        #expect(try before.get(meta, bytes("b")) == nil)
        for view in [before, middle, after] { view.close() }
        #expect(backend.openViewCount == 0)
        backend.close()
    }

    @Test func scansMergeCommittedAndBufferedEntriesInKeyOrder() throws {
        let directory = TemporaryDirectory()
        let backend = try open(directory)
        let key = backend.database("key")
        try backend.writer.apply((0..<10).map { .put(key, key: [UInt8($0 * 2)], value: [UInt8($0)]) })
        try backend.writer.commit()
        try backend.writer.apply([
            .put(key, key: [3], value: [100]), .delete(key, key: [4]), .put(key, key: [6], value: [101]),
            .put(key, key: [30], value: [102]),
        ])
        let view = try backend.read()
        var seen: [([UInt8], [UInt8])] = []
        try view.scan(key, from: [2], to: [9]) { key, value in
            seen.append((Array(key), Array(value)))
            return true
        }
        #expect(seen.map(\.0) == [[2], [3], [6], [8]])
        #expect(seen.map(\.1) == [[1], [100], [101], [4]])
        var firstTwo: [[UInt8]] = []
        try view.scan(key) { key, _ in
            firstTwo.append(Array(key))
            return firstTwo.count < 2
        }
        #expect(firstTwo == [[0], [2]])
        var writerSeen: [[UInt8]] = []
        try backend.writer.scan(key, from: [16]) { key, _ in
            writerSeen.append(Array(key))
            return true
        }
        #expect(writerSeen == [[16], [18], [30]])
        view.close()
        backend.close()
    }

    @Test func preCommitHookWritesArePartOfEveryCommit() throws {
        let directory = TemporaryDirectory()
        let backend = try open(directory)
        let meta = backend.database("meta")
        var counter: UInt8 = 0
        backend.writer.setPreCommitHook {
            counter += 1
            return [.put(meta, key: Array("hook".utf8), value: [counter])]
        }
        try backend.writer.commit()
        #expect(counter == 0, "nothing pending: no commit")
        backend.writer.noteChange()
        try backend.writer.commit()
        try backend.writer.apply([.put(meta, key: bytes("x"), value: [1])])
        try backend.writer.commit()
        let view = try backend.read()
        #expect(try view.get(meta, bytes("hook")) == [2])
        view.close()
        backend.close()
    }

    @Test func commitIfDueHonoursTheIntervalAndTheOperationLimit() throws {
        let directory = TemporaryDirectory()
        var configuration = BackendConfiguration(path: directory.file("db"))
        configuration.batchLimitOperations = 3
        let backend = try Backend(configuration: configuration)
        let meta = backend.database("meta")
        #expect(try !backend.writer.commitIfDue())
        try backend.writer.apply([.put(meta, key: bytes("a"), value: [1])])
        let deadline = try #require(backend.writer.nextCommitDeadline)
        #expect(try !backend.writer.commitIfDue(now: deadline.advanced(by: .milliseconds(-1))))
        #expect(try backend.writer.commitIfDue(now: deadline))
        #expect(backend.writer.uncommittedOperations == 0)
        try backend.writer.apply([.put(meta, key: bytes("a"), value: [2]), .put(meta, key: bytes("b"), value: [2])])
        #expect(try !backend.writer.commitIfDue())
        try backend.writer.apply([.put(meta, key: bytes("c"), value: [3])])
        #expect(try backend.writer.commitIfDue())
        backend.close()
    }
}
