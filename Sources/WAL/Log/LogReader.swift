import Raft

/// One decoded WAL record, as replay sees it.
enum LogRecord {
    case entry(Entry)
    case hardState(HardState)
    case metadata(WALMetadata)
    case marker(SnapshotMarker)
}

/// Where replay stopped in the last segment.
struct LogEnd {
    /// The last segment.
    let name: SegmentName
    let path: String
    /// The end of the last valid record: where the next append goes.
    let offset: Int64
    /// Why bytes after ``offset`` must be discarded (a torn record, or stray bytes after the data);
    /// nil when only zeros follow.
    let damage: String?
    /// The CRC chain value after the last valid record.
    let chain: UInt32
    /// The last entry index written (or snapshot marker index, if larger), as the writer counts it.
    let lastIndex: UInt64
}

/// Reads a run of consecutive segments, checking the framing, the CRC chain across segments, each
/// segment's leading records, that segment names agree with the indices written before them, and that
/// entry indices never skip. Damage in the last segment that ``TornWrite`` accepts ends the log there;
/// any other damage throws ``WALError`` naming the file and offset.
struct LogReader {
    let fileSystem: any FileSystem
    let directory: String

    func read(_ names: [SegmentName], visit: (LogRecord, String, Int) throws -> Void) throws -> LogEnd {
        precondition(!names.isEmpty, "no segments to read")
        var chain: UInt32? = nil
        var lastIndex: UInt64 = names[0].sequence == 0 || names[0].firstIndex == 0 ? 0 : names[0].firstIndex - 1
        for (position, name) in names.enumerated() {
            let path = joinPath(self.directory, name.fileName)
            if position > 0 && name.firstIndex != lastIndex &+ 1 {
                throw WALError(.indexMismatch, "wal: segment name says it starts at index \(name.firstIndex) but the log before it ends at index \(lastIndex)", path: path)
            }
            let bytes = try self.contents(of: path)
            var segment = SegmentReading(path: path, isLast: position == names.count - 1, chain: chain, lastIndex: lastIndex)
            let end = try bytes.withUnsafeBytes { try segment.read($0, visit: visit) }
            chain = segment.chain
            lastIndex = segment.lastIndex
            if let end {
                return LogEnd(name: name, path: path, offset: Int64(end.offset), damage: end.damage, chain: segment.chain!, lastIndex: lastIndex)
            }
        }
        preconditionFailure("the last segment always ends the log")
    }

    private func contents(of path: String) throws -> [UInt8] {
        do {
            let file = try self.fileSystem.openFile(atPath: path, mode: .readOnly)
            defer { try? file.close() }
            return try file.readAll()
        } catch {
            throw WALError(.io, "wal: cannot read segment: \(error)", path: path)
        }
    }
}

/// The state of reading one segment.
private struct SegmentReading {
    let path: String
    let isLast: Bool
    var chain: UInt32?
    var lastIndex: UInt64
    private var recordCount = 0

    init(path: String, isLast: Bool, chain: UInt32?, lastIndex: UInt64) {
        self.path = path
        self.isLast = isLast
        self.chain = chain
        self.lastIndex = lastIndex
    }

    /// Visits every valid record; returns where the log ends if this is the last segment, nil otherwise.
    mutating func read(
        _ bytes: UnsafeRawBufferPointer, visit: (LogRecord, String, Int) throws -> Void
    ) throws -> (offset: Int, damage: String?)? {
        var decoder = RecordDecoder(chain: self.chain)
        while true {
            let offset = decoder.offset
            switch decoder.next(in: bytes) {
            case .record(let type, let payload):
                let record = try self.interpret(type, Array(bytes[payload]), at: offset)
                self.chain = decoder.chain
                self.recordCount += 1
                if let record { try visit(record, self.path, offset) }
            case .end:
                try self.checkLeadingRecords(endingAt: offset)
                if !self.isLast {
                    guard offset == bytes.count else {
                        throw WALError(.corruptRecord, "wal: zeros inside a sealed segment", path: self.path, offset: Int64(offset))
                    }
                    return nil
                }
                let stray = isZero(bytes, offset..<bytes.count) ? nil : "wal: stray bytes after the last record"
                return (offset, stray)
            case .damaged(let damage):
                guard self.isLast, TornWrite.isTorn(damage, at: offset, in: bytes) else {
                    throw WALError(.corruptRecord, damage.message, path: self.path, offset: Int64(offset))
                }
                try self.checkLeadingRecords(endingAt: offset)
                return (offset, damage.message)
            }
        }
    }

    /// A segment must hold at least its CRC seed and metadata; a new segment becomes visible only once
    /// those are durable, so their absence is corruption even at the tail.
    private func checkLeadingRecords(endingAt offset: Int) throws {
        guard self.recordCount >= 2 else {
            throw WALError(.corruptRecord, "wal: segment lacks its crc seed and metadata records", path: self.path, offset: Int64(offset))
        }
    }

    private mutating func interpret(_ type: RecordType, _ payload: [UInt8], at offset: Int) throws -> LogRecord? {
        let leading: RecordType? = self.recordCount == 0 ? .crcSeed : (self.recordCount == 1 ? .metadata : nil)
        guard leading == nil || leading == type, type != .crcSeed || self.recordCount == 0 else {
            throw WALError(.badRecord, "wal: unexpected \(type) record", path: self.path, offset: Int64(offset))
        }
        do {
            switch type {
            case .crcSeed:
                let seed = payload.withUnsafeBytes { readLittleEndianUInt32($0, at: 0) }
                if let chain = self.chain, chain != seed {
                    throw WALError(.corruptRecord, "wal: crc mismatch", path: self.path, offset: Int64(offset))
                }
                return nil
            case .metadata:
                return .metadata(try PayloadCodec.decodeMetadata(payload))
            case .hardState:
                return .hardState(try PayloadCodec.decodeHardState(payload))
            case .snapshotMarker:
                let marker = try PayloadCodec.decodeMarker(payload)
                self.lastIndex = max(self.lastIndex, marker.index)
                return .marker(marker)
            case .entry:
                let entry = try PayloadCodec.decodeEntry(payload)
                guard entry.index >= 1, entry.index <= self.lastIndex &+ 1 else {
                    throw WALError(.indexMismatch, "wal: entry index \(entry.index) does not follow index \(self.lastIndex)", path: self.path, offset: Int64(offset))
                }
                self.lastIndex = entry.index
                return .entry(entry)
            case .snapshotFile:
                throw WALError(.badRecord, "wal: unexpected snapshot file record", path: self.path, offset: Int64(offset))
            }
        } catch let error as WALError {
            throw error
        } catch {
            throw WALError(.badRecord, "wal: undecodable \(type) record: \(error)", path: self.path, offset: Int64(offset))
        }
    }
}
