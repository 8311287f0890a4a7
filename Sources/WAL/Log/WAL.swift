import Raft

/// The write-ahead log: Raft entries, hard state and snapshot markers appended to segment files in a
/// directory, each record framed with a length, a type and a CRC-32C chained from the record before it.
///
/// Lifecycle: ``create(directory:metadata:fileSystem:options:)`` once for a new member, then
/// ``open(directory:from:fileSystem:options:)`` on every start, which replays the log and repairs a torn
/// final record. Then ``save(hardState:entries:)`` for every Raft `Ready`, ``saveSnapshotMarker(_:)``
/// after a snapshot file is durable, ``release(upTo:)`` to delete segments a snapshot made redundant, and
/// ``close()``.
///
/// Threading: one owner (the Raft loop) calls every method; the WAL is not `Sendable`.
///
/// Failure: a failed write, fsync, truncate or rename on the durable path stops the process with the
/// errno text (see `fatalIO`) and is never retried. Opening throws ``WALError`` for damage it must not
/// repair.
public final class WAL {
    let fileSystem: any FileSystem
    let directory: String
    let options: WALOptions
    /// Recorded at the head of every segment.
    public let metadata: WALMetadata

    /// Live segments, oldest first; the last is the tail being appended to.
    private(set) var segments: [SegmentName]
    private var tail: any FileSystemFile
    private var tailOffset: Int64
    /// The tail is known to hold written zeros (or records) up to here (see `WALOptions.zeroFillAheadBytes`).
    private var zeroedEnd: Int64
    private var zeroChunk: [UInt8] = []
    private var encoder: RecordEncoder
    /// The index of the last entry saved, or of the last snapshot marker if that is larger: segment
    /// names are derived from it.
    public private(set) var lastIndex: UInt64
    /// The last hard state saved.
    public private(set) var hardState: HardState
    private var hasUnsyncedWrites = false
    private var isClosed = false
    /// Called with the duration of every fdatasync of a segment (etcd's `wal_fsync_duration_seconds`).
    public var syncObserver: ((Duration) -> Void)?
    /// Called with the byte count of every write to a segment (etcd's `wal_write_bytes_total`).
    public var writeObserver: ((Int) -> Void)?

    init(
        fileSystem: any FileSystem, directory: String, options: WALOptions, metadata: WALMetadata,
        segments: [SegmentName], tail: any FileSystemFile, tailOffset: Int64, chain: UInt32,
        lastIndex: UInt64, hardState: HardState
    ) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.options = options
        self.metadata = metadata
        self.segments = segments
        self.tail = tail
        self.tailOffset = tailOffset
        self.zeroedEnd = tailOffset
        self.encoder = RecordEncoder(chain: chain)
        self.lastIndex = lastIndex
        self.hardState = hardState
    }

    /// The file names of the live segments, oldest first.
    public var segmentFileNames: [String] { self.segments.map(\.fileName) }

    /// Appends `entries` and `hardState` as one batch and makes it durable with a single fdatasync
    /// before returning (group commit: one sync per call whatever the batch size).
    ///
    /// Skips the sync when nothing that must be durable changed: no entries and the same term and vote
    /// (a commit index alone may be lost and relearned, as in Raft's `MustSync`). Writes nothing at all
    /// when there are no entries and `hardState` is empty or unchanged. A save that fills the tail
    /// segment also cuts a new one (extra syncs for the new file and the directory).
    ///
    /// Preconditions: `entries` have consecutive indices and the first is at most ``lastIndex`` + 1
    /// (a lower one overwrites the log from there, as Raft does for conflicting entries).
    public func save(hardState: HardState, entries: [Entry]) {
        precondition(!self.isClosed, "WAL used after close")
        let stateChanged = !hardState.isEmpty && hardState != self.hardState
        guard !entries.isEmpty || stateChanged else { return }
        CrashPoint.walBeforeSave.reach()
        let mustSync = !entries.isEmpty || hardState.term != self.hardState.term || hardState.vote != self.hardState.vote
        if let first = entries.first {
            precondition(first.index >= 1 && first.index <= self.lastIndex + 1, "entry \(first.index) does not follow \(self.lastIndex)")
        }
        for (position, entry) in entries.enumerated() {
            precondition(position == 0 || entry.index == entries[position - 1].index + 1, "entries are not consecutive")
            self.encoder.append(.entry, payload: PayloadCodec.encode(entry))
        }
        if let last = entries.last { self.lastIndex = last.index }
        if stateChanged {
            self.encoder.append(.hardState, payload: PayloadCodec.encode(hardState))
            self.hardState = hardState
        }
        self.writeBuffered()
        if self.tailOffset >= self.options.segmentSizeBytes {
            self.cut()
        } else if mustSync {
            self.syncTail()
        }
        CrashPoint.walAfterSave.reach()
    }

    /// Records that a snapshot at `marker.index` exists and makes it durable before returning. Call only
    /// after the snapshot file itself is durable, so a marker never points at a missing snapshot.
    public func saveSnapshotMarker(_ marker: SnapshotMarker) {
        precondition(!self.isClosed, "WAL used after close")
        self.encoder.append(.snapshotMarker, payload: PayloadCodec.encode(marker))
        self.lastIndex = max(self.lastIndex, marker.index)
        self.writeBuffered()
        if self.tailOffset >= self.options.segmentSizeBytes {
            self.cut()
        } else {
            self.syncTail()
        }
    }

    /// Deletes the segments that only hold records before `index`: every segment older than the newest
    /// one whose first index is at most `index`. That segment is kept, so the log can still be opened from
    /// a snapshot marker at `index`. The tail is never deleted.
    ///
    /// Throws ``FileSystemError`` if a file cannot be removed (the log stays valid: removal goes from the
    /// oldest segment up); a failed directory sync is fatal.
    public func release(upTo index: UInt64) throws {
        precondition(!self.isClosed, "WAL used after close")
        guard let keep = self.segments.lastIndex(where: { $0.firstIndex <= index }), keep > 0 else { return }
        for name in self.segments[..<keep] {
            try self.fileSystem.removeFile(atPath: joinPath(self.directory, name.fileName))
            self.segments.removeFirst()
        }
        self.syncDirectory()
    }

    /// Syncs anything written but not yet durable and releases the tail file. The WAL must not be used
    /// afterwards.
    public func close() {
        precondition(!self.isClosed, "WAL closed twice")
        if self.hasUnsyncedWrites { self.syncTail() }
        do {
            try self.tail.close()
        } catch {
            fatalIO("closing \(self.tailPath)", error)
        }
        self.isClosed = true
    }

    private var tailPath: String { joinPath(self.directory, self.segments.last!.fileName) }

    private func writeBuffered() {
        do {
            try self.encoder.buffer.withUnsafeBytes { try self.tail.write($0, atOffset: self.tailOffset) }
        } catch {
            fatalIO("writing \(self.tailPath)", error)
        }
        self.tailOffset += Int64(self.encoder.buffer.count)
        self.writeObserver?(self.encoder.buffer.count)
        self.encoder.clearBuffer()
        self.hasUnsyncedWrites = true
        if self.tailOffset > self.zeroedEnd { self.zeroFillAhead() }
    }

    /// Overwrites the next `zeroFillAheadBytes` after the last record (within the segment's preallocated
    /// size) with zeros; the next sync makes them durable along with the records before them. Nothing
    /// after the last record is ever read back as a record: the log ends at the first all-zero header.
    private func zeroFillAhead() {
        let end = min(self.tailOffset + self.options.zeroFillAheadBytes, self.options.segmentSizeBytes)
        self.zeroedEnd = max(self.tailOffset, end)
        guard end > self.tailOffset else { return }
        let count = Int(end - self.tailOffset)
        if self.zeroChunk.count < count { self.zeroChunk = [UInt8](repeating: 0, count: count) }
        do {
            try self.zeroChunk.withUnsafeBytes { try self.tail.write(UnsafeRawBufferPointer(rebasing: $0[..<count]), atOffset: self.tailOffset) }
        } catch {
            fatalIO("writing zeros ahead in \(self.tailPath)", error)
        }
    }

    private func syncTail() {
        if !self.options.unsafeNoFsync {
            let started = ContinuousClock.now
            do {
                try self.tail.dataSync()
            } catch {
                fatalIO("fdatasync of \(self.tailPath)", error)
            }
            self.syncObserver?(ContinuousClock.now - started)
        }
        self.hasUnsyncedWrites = false
    }

    private func syncDirectory() {
        guard !self.options.unsafeNoFsync else { return }
        do {
            try self.fileSystem.syncDirectory(atPath: self.directory)
        } catch {
            fatalIO("fsync of directory \(self.directory)", error)
        }
    }

    /// Seals the tail at its exact length and starts the next segment, named after ``lastIndex`` + 1 and
    /// opened with the CRC seed, the metadata and the hard state.
    private func cut() {
        CrashPoint.walBeforeCut.reach()
        do {
            try self.tail.truncate(toSize: self.tailOffset)
        } catch {
            fatalIO("truncating \(self.tailPath)", error)
        }
        self.syncTail()
        do {
            try self.tail.close()
        } catch {
            fatalIO("closing \(self.tailPath)", error)
        }
        let name = SegmentName(sequence: self.segments.last!.sequence + 1, firstIndex: self.lastIndex + 1)
        let state: [(RecordType, [UInt8])] = self.hardState.isEmpty ? [] : [(.hardState, PayloadCodec.encode(self.hardState))]
        let (file, offset) = Self.createSegment(
            name, leadingRecords: state, encoder: &self.encoder, metadata: self.metadata,
            fileSystem: self.fileSystem, directory: self.directory, options: self.options
        )
        self.segments.append(name)
        self.tail = file
        self.tailOffset = offset
        self.zeroedEnd = offset
        CrashPoint.walAfterCut.reach()
    }

    /// Writes a complete new segment under a temporary name (CRC seed, metadata, then `leadingRecords`),
    /// syncs it, renames it into place and syncs the directory, so the segment is either absent or whole.
    /// Returns the open file and the offset after its records.
    static func createSegment(
        _ name: SegmentName, leadingRecords: [(RecordType, [UInt8])], encoder: inout RecordEncoder,
        metadata: WALMetadata, fileSystem: any FileSystem, directory: String, options: WALOptions
    ) -> (any FileSystemFile, Int64) {
        let path = joinPath(directory, name.fileName)
        let temporaryPath = path + SegmentName.temporarySuffix
        var seed: [UInt8] = []
        appendLittleEndian(encoder.chain, to: &seed)
        encoder.append(.crcSeed, payload: seed)
        encoder.append(.metadata, payload: PayloadCodec.encode(metadata))
        for (type, payload) in leadingRecords { encoder.append(type, payload: payload) }
        let length = Int64(encoder.buffer.count)
        do {
            if fileSystem.exists(atPath: temporaryPath) { try fileSystem.removeFile(atPath: temporaryPath) }
            let file = try fileSystem.openFile(atPath: temporaryPath, mode: .createNew)
            try file.allocate(size: options.segmentSizeBytes)
            try encoder.buffer.withUnsafeBytes { try file.write($0, atOffset: 0) }
            if !options.unsafeNoFsync {
                try file.dataSync()
            }
            encoder.clearBuffer()
            try fileSystem.rename(atPath: temporaryPath, toPath: path)
            if !options.unsafeNoFsync {
                try fileSystem.syncDirectory(atPath: directory)
            }
            return (file, length)
        } catch {
            fatalIO("creating segment \(path)", error)
        }
    }
}
