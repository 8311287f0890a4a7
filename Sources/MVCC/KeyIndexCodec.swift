import EtcdProto

/// The record format of the persisted key index (the `keyIndex` database, keyed by the user key): the
/// key's attached lease (zigzag varint), its newest revision, then each generation's version, creation
/// revision and revisions (main revisions delta-encoded), all as varints.
enum KeyIndexCodec {
    static func encode(_ index: KeyIndex, lease: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + index.generations.count * 8 + index.generations.reduce(0) { $0 + $1.revisions.count * 3 })
        ProtobufWire.appendVarint(UInt64(bitPattern: (lease << 1) ^ (lease >> 63)), to: &bytes)
        append(index.modified, to: &bytes)
        ProtobufWire.appendVarint(UInt64(index.generations.count), to: &bytes)
        for generation in index.generations {
            ProtobufWire.appendVarint(UInt64(bitPattern: generation.version), to: &bytes)
            append(generation.created, to: &bytes)
            ProtobufWire.appendVarint(UInt64(generation.revisions.count), to: &bytes)
            var previous: Int64 = 0
            for revision in generation.revisions {
                ProtobufWire.appendVarint(UInt64(bitPattern: revision.main - previous), to: &bytes)
                ProtobufWire.appendVarint(UInt64(bitPattern: revision.sub), to: &bytes)
                previous = revision.main
            }
        }
        return bytes
    }

    /// Decodes a record of `key`; nil when malformed.
    static func decode(key: [UInt8], _ bytes: UnsafeRawBufferPointer) -> (index: KeyIndex, lease: Int64)? {
        var reader = ProtobufReader(bytes)
        guard let zigzag = reader.readVarint(), let modified = reader.revision(), let count = reader.readVarint(), count < 1 << 32 else {
            return nil
        }
        var generations: [KeyIndex.Generation] = []
        generations.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let version = reader.readVarint(), let created = reader.revision(), let revisionCount = reader.readVarint(),
                  revisionCount < 1 << 32 else { return nil }
            var revisions: [Revision] = []
            revisions.reserveCapacity(Int(revisionCount))
            var previous: Int64 = 0
            for _ in 0..<revisionCount {
                guard let delta = reader.readVarint(), let sub = reader.readVarint() else { return nil }
                previous += Int64(bitPattern: delta)
                revisions.append(Revision(main: previous, sub: Int64(bitPattern: sub)))
            }
            generations.append(KeyIndex.Generation(version: Int64(bitPattern: version), created: created, revisions: revisions))
        }
        guard reader.isAtEnd else { return nil }
        let lease = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        return (KeyIndex(key: key, modified: modified, generations: generations), lease)
    }

    private static func append(_ revision: Revision, to bytes: inout [UInt8]) {
        ProtobufWire.appendVarint(UInt64(bitPattern: revision.main), to: &bytes)
        ProtobufWire.appendVarint(UInt64(bitPattern: revision.sub), to: &bytes)
    }
}

extension ProtobufReader {
    /// A revision written as two varints, main then sub.
    fileprivate mutating func revision() -> Revision? {
        guard let main = readVarint(), let sub = readVarint() else { return nil }
        return Revision(main: Int64(bitPattern: main), sub: Int64(bitPattern: sub))
    }
}
