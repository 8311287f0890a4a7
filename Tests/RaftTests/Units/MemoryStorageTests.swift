import Raft
import Testing

@Suite("MemoryStorage")
struct MemoryStorageTests {
    /// Entries 3...5 after a snapshot at 2 (term 1).
    private func storage() throws -> MemoryStorage {
        let storage = MemoryStorage()
        try storage.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 2, term: 1,
                                                                      confState: ConfState(voters: [1]))))
        storage.append(entries(terms: [1, 2, 3], from: 3))
        return storage
    }

    @Test func indexesAndTerms() throws {
        let storage = try self.storage()
        #expect(storage.firstIndex() == 3)
        #expect(storage.lastIndex() == 5)
        #expect(try storage.term(2) == 1)
        #expect(try storage.term(5) == 3)
        #expect(throws: StorageError.compacted) { try storage.term(1) }
        #expect(throws: StorageError.unavailable) { try storage.term(6) }
    }

    @Test func entriesRespectRangeAndSize() throws {
        let storage = try self.storage()
        #expect(try storage.entries(lo: 3, hi: 6, maxBytes: .max).map(\.index) == [3, 4, 5])
        #expect(throws: StorageError.compacted) { try storage.entries(lo: 2, hi: 4, maxBytes: .max) }
        let one = try storage.entries(lo: 3, hi: 6, maxBytes: 1)
        #expect(one.map(\.index) == [3])
        let size = Entry(term: 1, index: 3, data: Array("e3".utf8)).byteSize
        #expect(try storage.entries(lo: 3, hi: 6, maxBytes: 2 * size).count == 2)
    }

    @Test func appendOverwritesSuffixAndSkipsCompacted() throws {
        let storage = try self.storage()
        storage.append(entries(terms: [4, 4], from: 4))
        #expect(try storage.entries(lo: 3, hi: 6, maxBytes: .max).map(\.term) == [1, 4, 4])
        storage.append(entries(terms: [1, 1, 5], from: 1))
        #expect(storage.firstIndex() == 3)
        #expect(try storage.term(3) == 5)
        #expect(storage.lastIndex() == 3)
    }

    @Test func snapshotAndCompaction() throws {
        let storage = try self.storage()
        let snapshot = try storage.createSnapshot(index: 4, confState: ConfState(voters: [1, 2]), data: [7])
        #expect(snapshot.metadata.index == 4 && snapshot.metadata.term == 2)
        #expect(throws: StorageError.snapshotOutOfDate) {
            try storage.createSnapshot(index: 4, confState: nil, data: [])
        }
        try storage.compact(upTo: 4)
        #expect(storage.firstIndex() == 5)
        #expect(try storage.term(4) == 2)
        #expect(throws: StorageError.compacted) { try storage.compact(upTo: 3) }
        #expect(try storage.snapshot().data == [7])
        #expect(storage.initialState().confState == ConfState(voters: [1, 2]))
        #expect(throws: StorageError.snapshotOutOfDate) { try storage.applySnapshot(snapshot) }
    }
}
