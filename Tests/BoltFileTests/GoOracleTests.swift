import Foundation
import Testing

import BoltFile
import ProcessTestSupport

/// Go etcd judging our files, and producing real ones for our reader.
@Suite("Go etcd oracles")
struct GoOracleTests {
    /// Our status in Go's shape.
    static func ourStatus(_ path: String) throws -> GoTools.Status {
        let status = try SnapshotStatus(path: path)
        return GoTools.Status(hash: status.hash, revision: status.revision, totalKey: status.totalKeys,
                              totalSize: status.totalSizeBytes)
    }

    static let shapes = [
        (revisions: 0, maxValueBytes: 0, freelistPage: true),
        (revisions: 5, maxValueBytes: 20, freelistPage: true),
        (revisions: 300, maxValueBytes: 200, freelistPage: false),
        (revisions: 40, maxValueBytes: 9000, freelistPage: true),
        (revisions: 20_000, maxValueBytes: 64, freelistPage: true),
    ]

    @Test(.enabled(if: !GoTools.installed.isEmpty, GoTools.skipMessage), arguments: GoTools.installed)
    func goAgreesOnTheStatusOfOurFiles(tools: GoTools) throws {
        for shape in Self.shapes {
            try withTempDirectory { directory in
                let path = directory.file("snap.db")
                let buckets = EtcdContent.buckets(revisions: shape.revisions, maxValueBytes: shape.maxValueBytes,
                                                  seed: UInt64(shape.revisions * 31 + shape.maxValueBytes))
                try writeFile(path, buckets, options: BoltWriter.Options(writesFreelistPage: shape.freelistPage))
                let ours = try Self.ourStatus(path)
                #expect(try tools.status(path, in: directory) == ours, "\(shape)")
                #expect(ours.revision == lastMainRevision(buckets[5].entries))
                #expect(ours.totalKey == buckets.reduce(0) { $0 + $1.entries.count })
            }
        }
    }

    @Test(.enabled(if: !GoTools.installed.isEmpty, GoTools.skipMessage), arguments: GoTools.installed)
    func goRestoresOurFileAndWeReadWhatGoWroteBack(tools: GoTools) throws {
        try withTempDirectory { directory in
            let path = directory.file("snap.db")
            let buckets = EtcdContent.buckets(revisions: 3000, maxValueBytes: 300, seed: 99)
            try writeFile(path, buckets)
            let peer = "http://127.0.0.1:\(try FreePort.next())"
            let restore = try tools.restore(path, into: directory.file("restored"), peerURL: peer, in: directory)
            #expect(restore.status == 0, "\(restore.errorOutput)")
            // Restore rewrote the file with bbolt (new membership, consistent index): read Go's result.
            let restoredPath = directory.file("restored/member/snap/db")
            let restored = try readFile(restoredPath)
            #expect(restored.first { $0.name == [UInt8]("key") } == buckets[5])
            #expect(try tools.status(restoredPath, in: directory) == (try Self.ourStatus(restoredPath)))
        }
    }

    @Test(.enabled(if: !GoTools.installed.isEmpty, GoTools.skipMessage), arguments: GoTools.installed)
    func weReadARealGoSnapshot(tools: GoTools) throws {
        try withTempDirectory { directory in
            let (server, endpoint) = try tools.startServer(in: directory)
            defer { server.stop() }
            let snapshot = directory.file("go.db")
            try Self.populate(tools, endpoint: endpoint, snapshot: snapshot, in: directory)

            let reader = try BoltReader(path: snapshot)
            #expect(reader.fileSizeBytes == reader.meta.totalSizeBytes + 32, "etcdctl appends a SHA-256 trailer")
            #expect(try reader.buckets().map { String(decoding: $0.name, as: UTF8.self) } == EtcdContent.bucketNames)
            #expect(try tools.status(snapshot, in: directory) == (try Self.ourStatus(snapshot)))

            let contents = try readFile(snapshot)
            let keyBucket = try #require(contents.first { $0.name == [UInt8]("key") })
            // User key → (revision key, value) of its last revision.
            let latest = Dictionary(keyBucket.entries.compactMap { entry in
                EtcdContent.decodeKeyValue(entry.value).map { decoded in
                    (String(decoding: decoded.key, as: UTF8.self), (entry.key, decoded.value))
                }
            }, uniquingKeysWith: { _, last in last })
            #expect(latest["foo"]?.1 == [UInt8]("bar2"))
            #expect(latest["big"]?.1.count == 5000)
            #expect(latest["gone"]?.0.count == 18, "the last revision of a deleted key is a tombstone")
            #expect(latest["txn-199"]?.1 == [UInt8]("value-199"))
            #expect(contents.first { $0.name == [UInt8]("lease") }?.entries.count == 1)
            let meta = try #require(contents.first { $0.name == [UInt8]("meta") })
            let metaKeys = Set(meta.entries.map { String(decoding: $0.key, as: UTF8.self) })
            #expect(metaKeys.isSuperset(of: ["consistent_index", "finishedCompactRev", "scheduledCompactRev"]))
            let shape = try #require(try TreeShape.of(reader, bucket: [UInt8]("key")))
            #expect(shape.leafDepths.count == 1)
        }
    }

    /// Writes keys (puts, a 5000-byte value, a delete, a lease, 200 puts in one transaction, a
    /// compaction) and saves a snapshot.
    private static func populate(_ tools: GoTools, endpoint: String, snapshot: String,
                                 in directory: TempDirectory) throws {
        func ctl(_ arguments: [String], stdinPath: String = "/dev/null") throws -> String {
            try tools.ctl(arguments, endpoint: endpoint, stdinPath: stdinPath, in: directory)
        }
        _ = try ctl(["put", "foo", "bar"])
        _ = try ctl(["put", "big", String(repeating: "x", count: 5000)])
        _ = try ctl(["put", "gone", "soon"])
        _ = try ctl(["del", "gone"])
        _ = try ctl(["put", "foo", "bar2"])
        let grant = try ctl(["lease", "grant", "600"])
        let leaseID = try #require(grant.split(separator: " ").dropFirst().first.map(String.init))
        _ = try ctl(["put", "leased", "v", "--lease=\(leaseID)"])
        _ = try ctl(["compact", "4"])
        let transaction = "\n" + (0..<200).map { "put txn-\($0) value-\($0)" }.joined(separator: "\n") + "\n\n\n"
        let transactionFile = directory.file("txn.txt")
        try transaction.write(toFile: transactionFile, atomically: true, encoding: .utf8)
        _ = try ctl(["txn", "--write-out", "simple"], stdinPath: transactionFile)
        _ = try ctl(["snapshot", "save", snapshot])
    }
}
