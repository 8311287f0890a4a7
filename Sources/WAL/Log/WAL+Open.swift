import Raft

/// What ``WAL/open(directory:from:fileSystem:options:)`` recovered.
public struct WALRecovery {
    /// The WAL, positioned to append after the last valid record.
    public let wal: WAL
    /// The metadata the WAL was created with.
    public let metadata: WALMetadata
    /// The last hard state in the log (``HardState/empty`` if none was saved).
    public let hardState: HardState
    /// The entries after the snapshot marker, in index order, with later writes of an index replacing
    /// earlier ones (and everything after them), as Raft overwrote them.
    public let entries: [Entry]
    /// The torn tail that was cut off, if any.
    public let repair: TailRepair?
}

extension WAL {
    /// Creates a new WAL in `directory` (made if missing, and its creation synced into its parent): a
    /// first segment `0000000000000000-0000000000000000.wal` holding the CRC seed, `metadata` and the
    /// ``SnapshotMarker/start`` marker, written under a temporary name and renamed into place.
    ///
    /// Throws ``WALError`` with ``WALError/Code/alreadyExists`` if the directory already holds segments,
    /// or ``FileSystemError`` if the directory cannot be made. Write and sync failures are fatal.
    public static func create(
        directory: String, metadata: WALMetadata, fileSystem: any FileSystem = POSIXFileSystem(),
        options: WALOptions = WALOptions()
    ) throws -> WAL {
        if fileSystem.exists(atPath: directory) {
            if try !segmentNames(in: directory, fileSystem: fileSystem).isEmpty {
                throw WALError(.alreadyExists, "wal: segments already exist", path: directory)
            }
        } else {
            try fileSystem.createDirectory(atPath: directory)
            if !options.unsafeNoFsync {
                try fileSystem.syncDirectory(atPath: parentDirectory(of: directory))
            }
        }
        var encoder = RecordEncoder(chain: 0)
        let name = SegmentName(sequence: 0, firstIndex: 0)
        let (file, offset) = createSegment(
            name, leadingRecords: [(.snapshotMarker, PayloadCodec.encode(SnapshotMarker.start))], encoder: &encoder,
            metadata: metadata, fileSystem: fileSystem, directory: directory, options: options
        )
        return WAL(
            fileSystem: fileSystem, directory: directory, options: options, metadata: metadata, segments: [name],
            tail: file, tailOffset: offset, chain: encoder.chain, lastIndex: 0, hardState: .empty
        )
    }

    /// Whether `directory` holds at least one segment (a WAL to open rather than create).
    public static func exists(directory: String, fileSystem: any FileSystem = POSIXFileSystem()) -> Bool {
        (try? !segmentNames(in: directory, fileSystem: fileSystem).isEmpty) ?? false
    }

    /// Opens the WAL in `directory` and replays it from the snapshot marker `marker` (``SnapshotMarker/start``
    /// for the whole log): the newest segment whose first index is at most `marker.index`, and every
    /// later one, are read and checked.
    ///
    /// Repairs exactly one kind of damage: a torn final record in the last segment (see ``TornWrite``'s
    /// rules), or stray bytes after the last record, which are cut off and zero-filled again; reported
    /// in ``WALRecovery/repair``. Everything else throws ``WALError`` naming the file and offset: a CRC
    /// mismatch or malformed record anywhere else, a missing segment, a segment name or entry index that
    /// does not follow the log before it, conflicting metadata, or no marker matching `marker`.
    ///
    /// Leftover temporary segments from an interrupted cut are removed.
    public static func open(
        directory: String, from marker: SnapshotMarker = .start, fileSystem: any FileSystem = POSIXFileSystem(),
        options: WALOptions = WALOptions()
    ) throws -> WALRecovery {
        let (all, names) = try liveSegments(in: directory, from: marker.index, fileSystem: fileSystem, removingTemporaries: true)
        var replay = Replay(marker: marker)
        let end = try LogReader(fileSystem: fileSystem, directory: directory).read(names) { record, path, offset in
            try replay.apply(record, path: path, offset: offset)
        }
        guard replay.markerFound else {
            throw WALError(.snapshotNotFound, "wal: snapshot not found (index \(marker.index), term \(marker.term))", path: directory)
        }
        guard let metadata = replay.metadata else { preconditionFailure("every segment's second record is its metadata") }
        let (tail, repair) = try openTail(end, fileSystem: fileSystem, options: options)
        let wal = WAL(
            fileSystem: fileSystem, directory: directory, options: options, metadata: metadata, segments: all,
            tail: tail, tailOffset: end.offset, chain: end.chain, lastIndex: end.lastIndex, hardState: replay.hardState
        )
        return WALRecovery(wal: wal, metadata: metadata, hardState: replay.hardState, entries: replay.entries, repair: repair)
    }

    /// The snapshot markers in every segment present, oldest first, that a member may start from: those
    /// at or below the last hard state's commit index (as etcd's `ValidSnapshotEntries`). Read-only:
    /// a torn tail is tolerated and left alone. Throws ``WALError`` for any other damage.
    public static func snapshotMarkers(
        directory: String, fileSystem: any FileSystem = POSIXFileSystem()
    ) throws -> [SnapshotMarker] {
        let (_, names) = try liveSegments(in: directory, from: nil, fileSystem: fileSystem, removingTemporaries: false)
        var markers: [SnapshotMarker] = []
        var state = HardState.empty
        _ = try LogReader(fileSystem: fileSystem, directory: directory).read(names) { record, _, _ in
            switch record {
            case .marker(let marker): markers.append(marker)
            case .hardState(let hardState): state = hardState
            case .entry, .metadata: break
            }
        }
        return markers.filter { $0.index <= state.commit }
    }

    /// All segments present, and those to read, oldest first: from the newest one whose first index is at
    /// most `index` (all of them if `index` is nil), checked to have consecutive sequence numbers. The
    /// older ones are kept in the WAL's list so a later ``WAL/release(upTo:)`` deletes them too (a crash
    /// can interrupt a release part way).
    private static func liveSegments(
        in directory: String, from index: UInt64?, fileSystem: any FileSystem, removingTemporaries: Bool
    ) throws -> (all: [SegmentName], toRead: [SegmentName]) {
        let all = try segmentNames(in: directory, fileSystem: fileSystem, removingTemporaries: removingTemporaries)
        guard !all.isEmpty else { throw WALError(.fileNotFound, "wal: file not found", path: directory) }
        let start = index.map { index in all.lastIndex(where: { $0.firstIndex <= index }) } ?? 0
        guard let start else {
            throw WALError(.fileNotFound, "wal: file not found (no segment at or before index \(index!))", path: directory)
        }
        let names = Array(all[start...])
        for (previous, next) in zip(names, names.dropFirst()) where next.sequence != previous.sequence + 1 {
            let path = joinPath(directory, next.fileName)
            throw WALError(.missingSegment, "wal: missing segment: expected sequence \(previous.sequence + 1) before this one", path: path)
        }
        return (all, names)
    }

    private static func segmentNames(
        in directory: String, fileSystem: any FileSystem, removingTemporaries: Bool = false
    ) throws -> [SegmentName] {
        let files: [String]
        do {
            files = try fileSystem.listDirectory(atPath: directory)
        } catch {
            throw WALError(.io, "wal: cannot list directory: \(error)", path: directory)
        }
        if removingTemporaries {
            for file in files where file.hasSuffix(SegmentName.fileExtension + SegmentName.temporarySuffix) {
                try? fileSystem.removeFile(atPath: joinPath(directory, file))
            }
        }
        return files.compactMap(SegmentName.init(fileName:)).sorted()
    }

    /// Opens the last segment for appending, first cutting off and zero-filling anything after the last
    /// valid record if the replay found damage there.
    private static func openTail(
        _ end: LogEnd, fileSystem: any FileSystem, options: WALOptions
    ) throws -> (any FileSystemFile, TailRepair?) {
        let file: any FileSystemFile
        do {
            file = try fileSystem.openFile(atPath: end.path, mode: .readWrite)
        } catch {
            throw WALError(.io, "wal: cannot open the last segment: \(error)", path: end.path)
        }
        guard let damage = end.damage else {
            // A crash during an earlier repair can leave the tail cut but not yet preallocated again.
            do {
                try file.allocate(size: options.segmentSizeBytes)
            } catch {
                fatalIO("preallocating \(end.path)", error)
            }
            return (file, nil)
        }
        do {
            try file.truncate(toSize: end.offset)
            try file.allocate(size: options.segmentSizeBytes)
            if !options.unsafeNoFsync { try file.dataSync() }
        } catch {
            fatalIO("repairing \(end.path)", error)
        }
        return (file, TailRepair(path: end.path, offset: end.offset, reason: damage))
    }
}

/// The directory holding `path`.
func parentDirectory(of path: String) -> String {
    let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
}

/// Rebuilds the state a replay from one snapshot marker yields.
private struct Replay {
    let marker: SnapshotMarker
    var metadata: WALMetadata?
    var hardState = HardState.empty
    var entries: [Entry] = []
    var markerFound = false

    init(marker: SnapshotMarker) {
        self.marker = marker
    }

    mutating func apply(_ record: LogRecord, path: String, offset: Int) throws {
        switch record {
        case .metadata(let metadata):
            if let known = self.metadata, known != metadata {
                throw WALError(.metadataConflict, "wal: conflicting metadata found", path: path, offset: Int64(offset))
            }
            self.metadata = metadata
        case .hardState(let state):
            self.hardState = state
        case .marker(let found):
            guard found.index == self.marker.index else { return }
            guard found.term == self.marker.term else {
                throw WALError(.snapshotMismatch, "wal: snapshot mismatch (term \(found.term), expected \(self.marker.term))", path: path, offset: Int64(offset))
            }
            self.markerFound = true
        case .entry(let entry):
            guard entry.index > self.marker.index else { return }
            let position = Int(entry.index - self.marker.index - 1)
            guard position <= self.entries.count else {
                throw WALError(.indexMismatch, "wal: slice bounds out of range (entry \(entry.index) after \(self.marker.index + UInt64(self.entries.count)))", path: path, offset: Int64(offset))
            }
            self.entries.removeSubrange(position...)
            self.entries.append(entry)
        }
    }
}
