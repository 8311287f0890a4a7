import Foundation
import Testing

import BoltFile

/// The streaming writer: a layout planned from sizes alone is the file the writer makes, the streamed
/// bytes are the file's bytes in order, and contents that differ from the plan or a reader that goes
/// away stop the writer with an error.
@Suite("Streaming a planned file")
struct StreamingTests {
    /// The layout the planner gives `buckets`.
    static func plan(_ buckets: [BucketContent], options: BoltWriter.Options = BoltWriter.Options()) throws -> BoltLayout {
        var planner = try BoltLayoutPlanner(options: options)
        for bucket in buckets {
            planner.beginBucket(bucket.name)
            for entry in bucket.entries {
                planner.add(keyBytes: entry.key.count, valueBytes: entry.value.count)
            }
        }
        return planner.finish()
    }

    /// Plans `buckets` and streams them, returning the layout, the bytes in the order they came and the
    /// size of each block.
    static func stream(_ buckets: [BucketContent], options: BoltWriter.Options, blockBytes: Int) throws -> (BoltLayout, [UInt8], [Int]) {
        let layout = try Self.plan(buckets, options: options)
        var bytes: [UInt8] = []
        var blockSizes: [Int] = []
        let writer = try BoltWriter(layout: layout, blockBytes: blockBytes) { block in
            bytes += block
            blockSizes.append(block.count)
            return true
        }
        for bucket in buckets {
            try writer.beginBucket(bucket.name)
            for entry in bucket.entries {
                try writer.put(key: entry.key, value: entry.value)
            }
        }
        try writer.finish()
        return (layout, bytes, blockSizes)
    }

    @Test func streamedFilesEqualWrittenFilesByteForByte() throws {
        for index in 0..<PropertyTests.cases {
            let caseSeed = PropertyTests.seed &+ 1000 &+ UInt64(index)
            var generator = SeededGenerator(seed: caseSeed)
            let buckets = PropertyTests.randomBuckets(&generator)
            let options = BoltWriter.Options(
                pageSizeBytes: [4096, 1024, 8192, 4096][index % 4],
                writesFreelistPage: index % 3 != 1,
                transactionID: UInt64(index + 2)
            )
            let blockBytes = [1 << 20, 4096, 12345, 1][index % 4]
            try withTempDirectory { directory in
                let path = directory.file("db")
                let meta = try writeFile(path, buckets, options: options)
                let (layout, streamed, blockSizes) = try Self.stream(buckets, options: options, blockBytes: blockBytes)
                #expect(layout.pageCount == meta.pageCount && layout.rootPageID == meta.rootPageID
                        && layout.freelistPageID == meta.freelistPageID, "seed \(caseSeed)")
                #expect(streamed == [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), "seed \(caseSeed)")
                #expect(Int64(streamed.count) == layout.totalSizeBytes, "seed \(caseSeed)")
                #expect(blockSizes.dropLast().allSatisfy { $0 >= blockBytes }, "seed \(caseSeed)")
            }
        }
    }

    @Test func contentsThatDifferFromThePlanAreRefused() throws {
        let planned = [bucket("key", revisions(1...2000) { _ in [UInt8](repeating: 7, count: 100) })]
        let writer = try BoltWriter(layout: try Self.plan(planned)) { _ in true }
        try writer.beginBucket([UInt8]("key"))
        for entry in planned[0].entries.dropLast(50) {
            try writer.put(key: entry.key, value: entry.value)
        }
        let error = boltError { try writer.finish() }
        #expect(error?.code == .misuse)
        #expect(error?.description.contains("differ from the planned layout") == true)
    }

    @Test func aReaderThatGoesAwayStopsTheWriter() throws {
        let buckets = [bucket("key", revisions(1...5000) { _ in [UInt8](repeating: 1, count: 200) })]
        var handed = 0
        let writer = try BoltWriter(layout: try Self.plan(buckets), blockBytes: 64 * 1024) { _ in
            handed += 1
            return handed < 3
        }
        try writer.beginBucket(buckets[0].name)
        var failure: BoltError?
        for entry in buckets[0].entries where failure == nil {
            failure = boltError { try writer.put(key: entry.key, value: entry.value) }
        }
        #expect(failure?.code == .io)
        #expect(handed == 3)
        #expect(boltError { try writer.finish() }?.code == .misuse)
    }
}
