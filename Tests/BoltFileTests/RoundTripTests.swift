import Foundation
import Testing

@_spi(Testing) import BoltFile

@Suite("Writer and reader round trips")
struct RoundTripTests {
    /// Writes `buckets`, reads them back, checks the file and compares.
    private func roundTrip(_ buckets: [BucketContent], options: BoltWriter.Options = BoltWriter.Options()) throws {
        try withTempDirectory { directory in
            let path = directory.file("db")
            let meta = try writeFile(path, buckets, options: options)
            #expect(try readFile(path) == buckets)
            let reader = try BoltReader(path: path)
            try reader.check()
            #expect(reader.meta == meta)
            #expect(reader.fileSizeBytes == meta.totalSizeBytes)
            #expect(reader.meta.transactionID == options.transactionID)
        }
    }

    @Test func noBuckets() throws {
        try self.roundTrip([])
    }

    @Test func emptyBuckets() throws {
        try self.roundTrip([bucket("a"), bucket("b")])
    }

    @Test func oneKey() throws {
        try self.roundTrip([bucket("key", [.init(key: revisionKey(1), value: [1, 2])])])
    }

    @Test func emptyValuesAndPrefixKeys() throws {
        let keys: [[UInt8]] = [[0], [0, 0], [0, 1], [1], [0xFF], [0xFF, 0]]
        try self.roundTrip([bucket("alarm", keys.map { .init(key: $0, value: []) })])
    }

    @Test(arguments: [4097, 10_000, 300_000])
    func valueOverAPage(size: Int) throws {
        var generator = SeededGenerator(seed: UInt64(size))
        try self.roundTrip([bucket("key", revisions(1...5) { _ in generator.bytes(size) })])
    }

    @Test func largeKeys() throws {
        var generator = SeededGenerator(seed: 7)
        let entries: [BucketContent.Entry] = (0..<40).map { index in
            .init(key: [UInt8(index)] + generator.bytes(maxKeyBytes - 1), value: [UInt8(index)])
        }
        try self.roundTrip([bucket("big", entries)])
    }

    @Test func manyBuckets() throws {
        let buckets = (0..<3000).map { index in
            bucket("bucket-\(100_000 + index)", (0..<(index % 7)).map {
                .init(key: [UInt8]("k\($0)"), value: [UInt8](repeating: 1, count: index % 300))
            })
        }
        try self.roundTrip(buckets)
    }

    @Test(arguments: [1024, 16384, 65536])
    func otherPageSizes(pageSize: Int) throws {
        try self.roundTrip([bucket("key", revisions(1...3000) { [UInt8](repeating: 7, count: $0 % 500) })],
                           options: BoltWriter.Options(pageSizeBytes: pageSize, transactionID: 9))
    }

    @Test func noFreelistMarker() throws {
        try self.roundTrip([bucket("key", revisions(1...2000) { [UInt8]("value \($0)") })],
                           options: BoltWriter.Options(writesFreelistPage: false))
    }

    @Test func hundredThousandKeysMakeADeepBalancedTree() throws {
        let buckets = [
            bucket("key", revisions(1...100_000) { [UInt8]("value of revision \($0)") }),
            bucket("meta", [.init(key: [UInt8]("consistent_index"), value: EtcdContent.bigEndian(9))]),
        ]
        try self.roundTrip(buckets)
        try withTempDirectory { directory in
            let path = directory.file("db")
            try writeFile(path, buckets)
            let reader = try BoltReader(path: path)
            let shape = try #require(try TreeShape.of(reader, bucket: [UInt8]("key")))
            #expect(shape.leafDepths == [3])
            #expect(shape.singleChildBranches == 0)
            #expect(shape.separatorMismatches == 0)
            #expect(try reader.bucket(named: [UInt8]("meta"))?.isInline == true)
        }
    }

    @Test func inlineThresholdIsAQuarterPage() throws {
        // Page header 16 + element 16 + key 17 + value: 975 value bytes make 1024, a quarter page; 976 do not.
        for (valueBytes, inline) in [(975, true), (976, false)] {
            try withTempDirectory { directory in
                let path = directory.file("db")
                try writeFile(path, [bucket("key", revisions(1...1) { _ in [UInt8](repeating: 3, count: valueBytes) })])
                let reader = try BoltReader(path: path)
                #expect(try reader.bucket(named: [UInt8]("key"))?.isInline == inline)
            }
        }
    }

    @Test func writesIntoACallersDescriptorAndCutsIt() throws {
        try withTempDirectory { directory in
            let path = directory.file("db")
            let descriptor = open(path, O_RDWR | O_CREAT, 0o600)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            #expect(ftruncate(descriptor, 1 << 20) == 0)
            let writer = try BoltWriter(fileDescriptor: descriptor)
            try writer.beginBucket([UInt8]("meta"))
            try writer.put(key: [UInt8]("term"), value: [0, 0, 0, 0, 0, 0, 0, 1])
            let meta = try writer.finish()
            let reader = try BoltReader(fileDescriptor: descriptor)
            #expect(reader.fileSizeBytes == meta.totalSizeBytes)
            var cursor = reader.cursor(try #require(try reader.bucket(named: [UInt8]("meta"))))
            #expect(try cursor.next()?.key == [UInt8]("term"))
            #expect(try cursor.next() == nil)
        }
    }

    @Test func nestedBucketsAreExposed() throws {
        // The writer makes top-level buckets only; a nested one is made here by hand: an inline bucket's
        // value, taken from a file where it is top-level, is stored under `child` in bucket `outer`, and
        // that entry then gets bbolt's bucket flag. `plain`'s big value gives `outer` a leaf page of its own.
        try withTempDirectory { directory in
            try writeFile(directory.file("inner"), [bucket("inner", [.init(key: [UInt8]("x"), value: [UInt8]("1"))])])
            let innerReader = try BoltReader(path: directory.file("inner"))
            var innerRoot = innerReader.cursor(innerReader.rootBucket)
            let innerValue = try #require(try innerRoot.next()).value
            let path = directory.file("db")
            try writeFile(path, [bucket("outer", [
                .init(key: [UInt8]("child"), value: innerValue),
                .init(key: [UInt8]("plain"), value: [UInt8](repeating: 2, count: 2000)),
            ])])
            let outerRoot = try #require(try BoltReader(path: path).bucket(named: [UInt8]("outer"))?.rootPageID)
            var bytes = try FileBytes(path)
            bytes.store(UInt32(1), at: Int(outerRoot) * 4096 + 16)  // the flags of the leaf's first element
            try bytes.save()

            let reader = try BoltReader(path: path)
            try reader.check()
            let outerBucket = try #require(try reader.bucket(named: [UInt8]("outer")))
            var cursor = reader.cursor(outerBucket)
            let child = try #require(try cursor.next())
            #expect(child.isBucket)
            var childCursor = reader.cursor(try reader.bucket(child))
            #expect(try childCursor.next()?.value == [UInt8]("1"))
            #expect(try cursor.next()?.isBucket == false)
            let status = try SnapshotStatus(reader: reader)
            #expect(status.totalKeys == 2)
        }
    }
}
