import Foundation
import Testing

import BoltFile

/// Seeded random files: whatever the writer is given, the reader gives back, the file passes the check,
/// trees are balanced with branch keys equal to their children's first keys, and Go agrees on the status
/// of a sample. `BOLT_PROPERTY_CASES` (default 12), `BOLT_PROPERTY_MAX_KEYS` (default 20000 per bucket)
/// and `BOLT_PROPERTY_SEED` widen or replay the run.
@Suite("Property: random contents round trip")
struct PropertyTests {
    static let environment = ProcessInfo.processInfo.environment
    static let cases = environment["BOLT_PROPERTY_CASES"].flatMap(Int.init) ?? 12
    static let maxKeys = environment["BOLT_PROPERTY_MAX_KEYS"].flatMap(Int.init) ?? 20000
    static let seed = environment["BOLT_PROPERTY_SEED"].flatMap(UInt64.init) ?? 0x5EED

    /// Random buckets: up to 6, each with 0 to `maxKeys` entries (log-uniform), keys of 1 to 40 random
    /// bytes, values mostly small, some over a page and a few over many pages. Names and keys are sorted
    /// in bbolt's order, unsigned bytewise with a prefix first, which is `lexicographicallyPrecedes`.
    static func randomBuckets(_ generator: inout SeededGenerator) -> [BucketContent] {
        let names = Set((0..<Int.random(in: 1...6, using: &generator)).map { _ in
            [UInt8]("b-") + generator.bytes(Int.random(in: 0...6, using: &generator))
        })
        return names.sorted { $0.lexicographicallyPrecedes($1) }.map { name in
            let exponent = Double.random(in: 0...log10(Double(maxKeys)), using: &generator)
            let wanted = Int.random(in: 0...9, using: &generator) == 0 ? 0 : Int(pow(10, exponent))
            let keys = Set((0..<wanted).map { _ in generator.bytes(Int.random(in: 1...40, using: &generator)) })
            let entries = keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
                let roll = Int.random(in: 0..<1000, using: &generator)
                let valueBytes = roll < 3 ? Int.random(in: 4097...70000, using: &generator)
                    : roll < 40 ? Int.random(in: 500...5000, using: &generator)
                    : Int.random(in: 0...64, using: &generator)
                return BucketContent.Entry(key: key, value: generator.bytes(valueBytes))
            }
            return BucketContent(name: name, entries: entries)
        }
    }

    @Test func randomContentsRoundTrip() throws {
        for index in 0..<Self.cases {
            let caseSeed = Self.seed &+ UInt64(index)
            var generator = SeededGenerator(seed: caseSeed)
            let buckets = Self.randomBuckets(&generator)
            let options = BoltWriter.Options(
                pageSizeBytes: [4096, 4096, 1024, 8192][index % 4],
                writesFreelistPage: index % 3 != 2,
                transactionID: UInt64(index + 2)
            )
            try withTempDirectory { directory in
                let path = directory.file("db")
                try writeFile(path, buckets, options: options)
                #expect(try readFile(path) == buckets, "seed \(caseSeed)")
                let reader = try BoltReader(path: path)
                try reader.check()
                for bucket in try reader.buckets() {
                    guard let shape = try TreeShape.of(reader, bucket) else { continue }
                    #expect(shape.leafDepths.count == 1, "seed \(caseSeed): unbalanced tree")
                    #expect(shape.separatorMismatches == 0, "seed \(caseSeed)")
                    #expect(shape.singleChildBranches == 0, "seed \(caseSeed)")
                }
                if index % 4 == 0, let tools = GoTools.preferred {
                    #expect(try tools.status(path, in: directory) == (try GoOracleTests.ourStatus(path)),
                            "seed \(caseSeed)")
                }
            }
        }
    }
}
