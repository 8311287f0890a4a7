import Testing

import BoltFile

@Suite("snapshot status")
struct StatusTests {
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `chunks` one after another, computed bit
    /// by bit: an oracle independent of the module's table-driven code.
    static func crc32c(_ chunks: [[UInt8]]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in chunks.joined() {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func hashIsCRC32CChainedOverNamesKeysAndValues() throws {
        #expect(Self.crc32c([[UInt8]("123456789")]) == 0xE306_9283, "CRC-32C's published check value")
        try withTempDirectory { directory in
            // Bucket name "1234", key "56789", empty value: the check value again, chained over three updates.
            try writeFile(directory.file("check"), [bucket("1234", [.init(key: [UInt8]("56789"), value: [])])])
            #expect(try SnapshotStatus(path: directory.file("check")).hash == 0xE306_9283)
            // 1003 bytes take the eight-bytes-per-step path and then the bytewise tail.
            let long = [UInt8](repeating: 0xAB, count: 1003)
            try writeFile(directory.file("long"), [bucket("b", [.init(key: [1], value: long)])])
            #expect(try SnapshotStatus(path: directory.file("long")).hash == Self.crc32c([[UInt8]("b"), [1], long]))
        }
    }

    @Test func statusFollowsGosDefinition() throws {
        try withTempDirectory { directory in
            let path = directory.file("db")
            let buckets = EtcdContent.buckets(revisions: 500, maxValueBytes: 100, seed: 5)
            let meta = try writeFile(path, buckets)
            let hashed = buckets.flatMap { bucket in [bucket.name] + bucket.entries.flatMap { [$0.key, $0.value] } }
            let status = try SnapshotStatus(path: path)
            #expect(status.hash == Self.crc32c(hashed))
            #expect(status.totalKeys == buckets.reduce(0) { $0 + $1.entries.count })
            #expect(status.revision == lastMainRevision(buckets[5].entries))
            #expect(status.totalSizeBytes == meta.totalSizeBytes)
        }
    }

    @Test func hashDependsOnContentNotLayout() throws {
        try withTempDirectory { directory in
            let buckets = EtcdContent.buckets(revisions: 3000, maxValueBytes: 700, seed: 11)
            try writeFile(directory.file("a"), buckets)
            try writeFile(directory.file("b"), buckets, options: .init(pageSizeBytes: 16384, writesFreelistPage: false))
            let a = try SnapshotStatus(path: directory.file("a"))
            let b = try SnapshotStatus(path: directory.file("b"))
            #expect(a.hash == b.hash && a.revision == b.revision && a.totalKeys == b.totalKeys)
            #expect(a.totalSizeBytes != b.totalSizeBytes)
        }
    }

    @Test func emptyFile() throws {
        try withTempDirectory { directory in
            try writeFile(directory.file("db"), [])
            let status = try SnapshotStatus(path: directory.file("db"))
            #expect(status == SnapshotStatus(hash: 0, revision: 0, totalKeys: 0, totalSizeBytes: 4 * 4096))
        }
    }

    @Test func shortRevisionKey() throws {
        try withTempDirectory { directory in
            try writeFile(directory.file("db"), [bucket("key", [.init(key: [1, 2], value: [])])])
            #expect(boltError { _ = try SnapshotStatus(path: directory.file("db")) }?.code == .badRevisionKey)
        }
    }
}
