/// Bucket contents shaped like a Go etcd snapshot's (the ten buckets, revision keys, KeyValue
/// protobufs), generated from a seed, for the tests that hand our files to Go's tools.
enum EtcdContent {
    /// etcd's bucket names in byte order.
    static let bucketNames = ["alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease", "members",
                              "members_removed", "meta"]

    /// The ten buckets with `revisions` puts (values of up to `maxValueBytes` bytes, some deletes) in `key`.
    static func buckets(revisions: Int, maxValueBytes: Int, seed: UInt64) -> [BucketContent] {
        var generator = SeededGenerator(seed: seed)
        var keyEntries: [BucketContent.Entry] = []
        var main: Int64 = 1
        while keyEntries.count < revisions {
            main += 1
            let puts = Int.random(in: 1...3, using: &generator)
            for sub in 0..<puts where keyEntries.count < revisions {
                let userKey = [UInt8]("key-\(Int.random(in: 0..<1000, using: &generator))")
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    keyEntries.append(.init(key: revisionKey(main, sub: Int64(sub)) + [0x74],
                                            value: self.keyValue(key: userKey, createRevision: 0, modRevision: 0,
                                                                 version: 0, value: [])))
                } else {
                    let value = generator.bytes(Int.random(in: 0...maxValueBytes, using: &generator))
                    keyEntries.append(.init(key: revisionKey(main, sub: Int64(sub)),
                                            value: self.keyValue(key: userKey, createRevision: main, modRevision: main,
                                                                 version: 1, value: value)))
                }
            }
        }
        let member = #"{"id":10276657743932975437,"peerURLs":["http://localhost:2380"],"name":"default","#
            + #""clientURLs":["http://localhost:2379"]}"#
        let contents: [String: [BucketContent.Entry]] = [
            "auth": [.init(key: [UInt8]("authRevision"), value: self.bigEndian(1))],
            "cluster": [.init(key: [UInt8]("clusterVersion"), value: [UInt8]("3.4.0"))],
            "key": keyEntries,
            "members": [.init(key: [UInt8]("8e9e05c52164694d"), value: [UInt8](member))],
            "meta": [.init(key: [UInt8]("consistent_index"), value: self.bigEndian(UInt64(revisions) + 4))],
        ]
        return self.bucketNames.map { bucket($0, contents[$0] ?? []) }
    }

    /// An `mvccpb.KeyValue` protobuf; proto3 leaves out zero fields.
    static func keyValue(key: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64,
                         value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        self.appendBytes(field: 1, key, to: &bytes)
        for (field, number) in [(2, createRevision), (3, modRevision), (4, version)] where number != 0 {
            bytes.append(UInt8(field << 3))
            self.appendVarint(UInt64(number), to: &bytes)
        }
        if !value.isEmpty {
            self.appendBytes(field: 5, value, to: &bytes)
        }
        return bytes
    }

    /// The length-delimited fields (key 1, value 5) of a KeyValue protobuf, skipping varints.
    static func decodeKeyValue(_ bytes: [UInt8]) -> (key: [UInt8], value: [UInt8])? {
        var key: [UInt8] = []
        var value: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let tag = bytes[index]
            index += 1
            guard let number = self.readVarint(bytes, &index) else { return nil }
            switch tag & 7 {
            case 0: continue
            case 2:
                let end = index + Int(number)
                guard end <= bytes.count else { return nil }
                if tag >> 3 == 1 { key = Array(bytes[index..<end]) }
                if tag >> 3 == 5 { value = Array(bytes[index..<end]) }
                index = end
            default: return nil
            }
        }
        return (key, value)
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * (7 - UInt64($0)))) }
    }

    private static func appendBytes(field: Int, _ payload: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(UInt8(field << 3 | 2))
        self.appendVarint(UInt64(payload.count), to: &bytes)
        bytes.append(contentsOf: payload)
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
