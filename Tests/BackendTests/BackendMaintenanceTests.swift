import Backend
import Checksums
import Foundation
import Testing

@Suite struct BackendMaintenanceTests {
    private func key(_ batch: Int, _ index: Int) -> [UInt8] { Array("b\(batch)-\(index)".utf8) }

    private func allKeys(_ backend: Backend, _ database: Database) throws -> Set<[UInt8]> {
        let view = try backend.read()
        defer { view.close() }
        var keys = Set<[UInt8]>()
        try view.scan(database) { key, _ in
            keys.insert(Array(key))
            return true
        }
        return keys
    }

    @Test func crc32cMatchesTheCastagnoliCheckValue() {
        var crc = CRC32C()
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xE306_9283)
        var split = CRC32C()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8))
        #expect(split.value == crc.value)
    }

    @Test func mapFullIsATypedErrorThatWritesNothingAndLeavesTheBackendUsable() throws {
        let directory = TemporaryDirectory()
        var configuration = BackendConfiguration(path: directory.file("db"))
        configuration.mapSizeBytes = 1024 * 1024
        let backend = try Backend(configuration: configuration)
        let database = backend.database("key")
        let value = [UInt8](repeating: 7, count: 1000)
        var committedBatches = 0
        var failure: BackendError?
        for batch in 0..<10_000 {
            do {
                try backend.writer.apply((0..<20).map { .put(database, key: key(batch, $0), value: value) })
                try backend.writer.commit()
                committedBatches += 1
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.isMapFull)
        #expect(error == .mapFull)
        #expect(error.grpcCode == .resourceExhausted)
        #expect(error.grpcMessage == "etcdserver: mvcc: database space exceeded")
        #expect(committedBatches > 10)

        let expected = Set((0..<committedBatches).flatMap { batch in (0..<20).map { key(batch, $0) } })
        #expect(try allKeys(backend, database) == expected, "the failed batch left nothing behind")

        for batch in 0..<(committedBatches / 2) {
            try backend.writer.apply((0..<20).map { .delete(database, key: key(batch, $0)) })
            try backend.writer.commit()
        }
        try backend.writer.apply((0..<20).map { .put(database, key: key(99_999, $0), value: value) })
        try backend.writer.commit()
        let remaining = try allKeys(backend, database)
        #expect(remaining.count == (committedBatches - committedBatches / 2 + 1) * 20)
        backend.close()
    }

    @Test func mapFullInTheMiddleOfABatchKeepsTheEarlierUncommittedWrites() throws {
        let directory = TemporaryDirectory()
        var configuration = BackendConfiguration(path: directory.file("db"))
        configuration.mapSizeBytes = 1024 * 1024
        let backend = try Backend(configuration: configuration)
        let database = backend.database("key")
        let value = [UInt8](repeating: 3, count: 1000)
        var applied = Set<[UInt8]>()
        var failure: BackendError?
        for batch in 0..<10_000 {
            let mutations: [Mutation] = (0..<10).map { .put(database, key: key(batch, $0), value: value) }
            do {
                try backend.writer.apply(mutations)
                applied.formUnion(mutations.map(\.key))
            } catch {
                failure = error
                break
            }
        }
        #expect(failure == .mapFull)
        #expect(try allKeys(backend, database) == applied)
        var writerKeys = Set<[UInt8]>()
        try backend.writer.scan(database) { key, _ in
            writerKeys.insert(Array(key))
            return true
        }
        #expect(writerKeys == applied, "the rebuilt write transaction holds exactly the applied writes")
        backend.close()
    }

    @Test func compactingCopyIsAValidEnvironmentWithTheSameData() throws {
        let directory = TemporaryDirectory()
        let backend = try Backend(configuration: BackendConfiguration(path: directory.file("db")))
        let database = backend.database("key")
        let meta = backend.database("meta")
        for batch in 0..<20 {
            try backend.writer.apply((0..<100).map { .put(database, key: key(batch, $0), value: Array(repeating: 1, count: 200)) })
            try backend.writer.commit()
        }
        for batch in 0..<15 {
            try backend.writer.apply((0..<100).map { .delete(database, key: key(batch, $0)) })
        }
        try backend.writer.apply([.put(meta, key: Array("m".utf8), value: [42])])
        try backend.writer.commit()
        let hash = try backend.hash()

        let copyPath = directory.file("copy")
        try backend.copyCompacted(toPath: copyPath)
        let copy = try Backend(configuration: BackendConfiguration(path: copyPath))
        #expect(try copy.hash() == hash)
        #expect(try allKeys(copy, copy.database("key")) == allKeys(backend, database))
        #expect(copy.sizeBytes() < backend.sizeBytes())
        #expect(try copy.sizeInUseBytes() <= backend.sizeInUseBytes())
        copy.close()
        backend.close()
    }

    @Test func sizeGrowsWithDataAndInUseShrinksWhenDataIsDeleted() throws {
        let directory = TemporaryDirectory()
        let backend = try Backend(configuration: BackendConfiguration(path: directory.file("db")))
        let database = backend.database("key")
        let empty = backend.sizeBytes()
        for batch in 0..<10 {
            try backend.writer.apply((0..<200).map { .put(database, key: key(batch, $0), value: Array(repeating: 2, count: 500)) })
            try backend.writer.commit()
        }
        let full = backend.sizeBytes()
        let fullInUse = try backend.sizeInUseBytes()
        #expect(full > empty + 10 * 200 * 500)
        #expect(fullInUse <= full)
        for batch in 0..<10 {
            try backend.writer.apply((0..<200).map { .delete(database, key: key(batch, $0)) })
            try backend.writer.commit()
        }
        // One more commit lets LMDB record the pages the last deletes freed.
        try backend.writer.apply([.put(database, key: [1], value: [1])])
        try backend.writer.commit()
        #expect(backend.sizeBytes() >= full, "LMDB never shrinks the file")
        #expect(try backend.sizeInUseBytes() < fullInUse / 4)
        backend.close()
    }

    @Test func hashIsStableAndCoversUncommittedWrites() throws {
        let directory = TemporaryDirectory()
        let one = try Backend(configuration: BackendConfiguration(path: directory.file("one")))
        let two = try Backend(configuration: BackendConfiguration(path: directory.file("two")))
        let entries: [Mutation] = (0..<50).map { .put(one.database("key"), key: key(0, $0), value: [UInt8($0)]) }
        try one.writer.apply(entries)
        try one.writer.commit()
        for chunk in stride(from: 0, to: 50, by: 7) {
            try two.writer.apply((chunk..<min(chunk + 7, 50)).map { .put(two.database("key"), key: key(0, $0), value: [UInt8($0)]) })
            if chunk % 2 == 0 {
                try two.writer.commit()
            }
        }
        #expect(try one.hash() == two.hash(), "same content, different commit points")
        #expect(try one.hash() == one.hash())

        let before = try one.hash()
        try one.writer.apply([.put(one.database("meta"), key: Array("consistent_index".utf8), value: [9])])
        #expect(try one.hash() != before, "uncommitted write is covered")
        let ignoring: Set<IgnoredKey> = [IgnoredKey(database: "meta", key: Array("consistent_index".utf8))]
        #expect(try one.hash(ignoring: ignoring) == before)
        one.close()
        two.close()
    }

    @Test func defragmentShrinksTheFileInPlaceAndKeepsTheData() throws {
        let directory = TemporaryDirectory()
        let configuration = BackendConfiguration(path: directory.file("db"))
        let backend = try Backend(configuration: configuration)
        let database = backend.database("key")
        for batch in 0..<20 {
            try backend.writer.apply((0..<100).map { .put(database, key: key(batch, $0), value: Array(repeating: 3, count: 400)) })
            try backend.writer.commit()
        }
        for batch in 0..<18 {
            try backend.writer.apply((0..<100).map { .delete(database, key: key(batch, $0)) })
            try backend.writer.commit()
        }
        try backend.writer.apply([.put(database, key: key(50, 0), value: [7])])
        let hash = try backend.hash()
        let size = backend.sizeBytes()
        try backend.defragment()
        #expect(try backend.hash() == hash)
        #expect(backend.sizeBytes() < size / 2)
        let view = try backend.read()
        #expect(try view.get(database, key(50, 0)) == [7])
        #expect(try view.get(database, key(19, 99)) == Array(repeating: 3, count: 400))
        view.close()
        try backend.writer.apply([.put(database, key: key(99, 0), value: [1])])
        try backend.writer.commit()
        #expect(!FileManager.default.fileExists(atPath: configuration.path + ".defrag"))
        backend.close()
        let reopened = try Backend(configuration: configuration)
        #expect(try reopened.read().get(database, key(99, 0)) == [1])
        reopened.close()
    }

    @Test func defragmentWaitsForOpenViewsAndGivesUpUnchanged() throws {
        let directory = TemporaryDirectory()
        let configuration = BackendConfiguration(path: directory.file("db"))
        let backend = try Backend(configuration: configuration)
        let database = backend.database("key")
        try backend.writer.apply([.put(database, key: key(1, 1), value: [1])])
        let view = try backend.read()
        #expect(throws: BackendError.self) { try backend.defragment(viewTimeout: .milliseconds(50)) }
        #expect(try view.get(database, key(1, 1)) == [1])
        view.close()
        #expect(!FileManager.default.fileExists(atPath: configuration.path + ".defrag"))
        try backend.defragment()
        #expect(try backend.read().get(database, key(1, 1)) == [1])
        backend.close()
    }
}
