import Raft

/// Snapshot files in a `snap/` directory: each holds one Raft snapshot (metadata and its small payload)
/// in a single CRC-checked record, named `%016x-%016x.snap` after its term and index as etcd names them.
///
/// Order with the WAL: ``save(_:)`` the file first, then ``WAL/saveSnapshotMarker(_:)``, so a WAL marker
/// never points at a missing file; on start, ``loadNewest(where:)`` with the markers from
/// ``WAL/snapshotMarkers(directory:fileSystem:)`` picks the newest file the WAL can replay from.
///
/// Threading: one owner. Write and sync failures are fatal, as in the WAL.
public final class Snapshotter {
    /// etcd's default `--max-snapshots`.
    public static let defaultRetainedCount = 5
    static let fileExtension = ".snap"
    static let brokenSuffix = ".broken"

    private let fileSystem: any FileSystem
    private let directory: String
    private let retainedCount: Int
    private let unsafeNoFsync: Bool
    /// Told how long each save took: encoding the record, the file's fsync, and the whole save.
    public var saveObserver: ((SnapshotSaveTimes) -> Void)?

    /// Uses `directory`, creating it (and syncing its parent) if missing. `retainedCount` files survive
    /// ``purge()``. Throws ``FileSystemError`` if the directory cannot be made.
    public init(
        directory: String, fileSystem: any FileSystem = POSIXFileSystem(),
        retainedCount: Int = Snapshotter.defaultRetainedCount, unsafeNoFsync: Bool = false
    ) throws {
        precondition(retainedCount >= 1, "at least one snapshot file must be kept")
        self.fileSystem = fileSystem
        self.directory = directory
        self.retainedCount = retainedCount
        self.unsafeNoFsync = unsafeNoFsync
        if !fileSystem.exists(atPath: directory) {
            try fileSystem.createDirectory(atPath: directory)
            if !unsafeNoFsync { try fileSystem.syncDirectory(atPath: parentDirectory(of: directory)) }
        }
    }

    /// Writes `snapshot` atomically: a temporary file, fsync, rename, directory fsync. Durable on return.
    /// An empty snapshot (index 0) is not written.
    public func save(_ snapshot: Snapshot) {
        guard !snapshot.isEmpty else { return }
        CrashPoint.snapBeforeSave.reach()
        let started = ContinuousClock.now
        var encoder = RecordEncoder(chain: 0)
        encoder.append(.snapshotFile, payload: PayloadCodec.encode(snapshot))
        let encoded = ContinuousClock.now
        var fsync: Duration?
        let path = joinPath(self.directory, Self.fileName(term: snapshot.metadata.term, index: snapshot.metadata.index))
        let temporaryPath = path + SegmentName.temporarySuffix
        do {
            if self.fileSystem.exists(atPath: temporaryPath) { try self.fileSystem.removeFile(atPath: temporaryPath) }
            let file = try self.fileSystem.openFile(atPath: temporaryPath, mode: .createNew)
            try file.write(encoder.buffer, atOffset: 0)
            if !self.unsafeNoFsync {
                let syncStarted = ContinuousClock.now
                try file.sync()
                fsync = ContinuousClock.now - syncStarted
            }
            try file.close()
            try self.fileSystem.rename(atPath: temporaryPath, toPath: path)
            if !self.unsafeNoFsync { try self.fileSystem.syncDirectory(atPath: self.directory) }
        } catch {
            fatalIO("saving snapshot \(path)", error)
        }
        self.saveObserver?(SnapshotSaveTimes(encoding: encoded - started, fsync: fsync, total: ContinuousClock.now - started))
        CrashPoint.snapAfterSave.reach()
    }

    /// Loads the newest valid snapshot file that `isUsable` accepts (say, one whose marker is in the WAL).
    /// A file that fails its CRC or does not decode is renamed to `<name>.broken`, reported in
    /// ``SnapshotLoad/brokenFiles``, and the next older one is tried, as etcd's snapshotter does.
    ///
    /// Throws ``FileSystemError`` if the directory cannot be listed.
    public func loadNewest(where isUsable: (SnapshotMetadata) -> Bool = { _ in true }) throws -> SnapshotLoad {
        var broken: [SnapshotProblem] = []
        for name in try self.snapshotFileNames().reversed() {
            let path = joinPath(self.directory, name)
            do {
                let snapshot = try self.load(path: path, name: name)
                if isUsable(snapshot.metadata) { return SnapshotLoad(snapshot: snapshot, brokenFiles: broken) }
            } catch let problem as SnapshotProblem {
                broken.append(problem)
                try? self.fileSystem.rename(atPath: path, toPath: path + Self.brokenSuffix)
            }
        }
        return SnapshotLoad(snapshot: nil, brokenFiles: broken)
    }

    /// Removes all but the newest `retainedCount` snapshot files, and leftovers of interrupted saves.
    /// Throws ``FileSystemError`` if a file cannot be removed.
    public func purge() throws {
        let names = try self.snapshotFileNames()
        for name in names.dropLast(self.retainedCount) {
            try self.fileSystem.removeFile(atPath: joinPath(self.directory, name))
        }
        for name in try self.fileSystem.listDirectory(atPath: self.directory)
        where name.hasSuffix(Self.fileExtension + SegmentName.temporarySuffix) {
            try self.fileSystem.removeFile(atPath: joinPath(self.directory, name))
        }
    }

    /// Snapshot file names, oldest first.
    public func snapshotFileNames() throws -> [String] {
        try self.fileSystem.listDirectory(atPath: self.directory)
            .compactMap { name in Self.parse(name).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
    }

    static func fileName(term: UInt64, index: UInt64) -> String {
        "\(hex16(term))-\(hex16(index))\(fileExtension)"
    }

    /// (term, index) of a snapshot file name.
    private static func parse(_ name: String) -> SnapshotOrder? {
        guard name.hasSuffix(fileExtension) else { return nil }
        let parts = name.dropLast(fileExtension.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 16 }),
              let term = UInt64(parts[0], radix: 16), let index = UInt64(parts[1], radix: 16)
        else { return nil }
        return SnapshotOrder(term: term, index: index)
    }

    private func load(path: String, name: String) throws -> Snapshot {
        let bytes: [UInt8]
        do {
            let file = try self.fileSystem.openFile(atPath: path, mode: .readOnly)
            defer { try? file.close() }
            bytes = try file.readAll()
        } catch {
            throw SnapshotProblem(path: path, reason: "snap: cannot read: \(error)")
        }
        var decoder = RecordDecoder(chain: 0)
        let payload: Range<Int>
        switch bytes.withUnsafeBytes({ decoder.next(in: $0) }) {
        case .record(.snapshotFile, let range) where decoder.offset == bytes.count: payload = range
        case .damaged(let damage):
            throw SnapshotProblem(path: path, reason: "snap: " + damage.message.dropFirst("wal: ".count))
        default: throw SnapshotProblem(path: path, reason: "snap: not a snapshot file")
        }
        guard let snapshot = try? PayloadCodec.decodeSnapshot(Array(bytes[payload])) else {
            throw SnapshotProblem(path: path, reason: "snap: undecodable snapshot")
        }
        guard name == Self.fileName(term: snapshot.metadata.term, index: snapshot.metadata.index) else {
            throw SnapshotProblem(path: path, reason: "snap: file name does not match its term and index")
        }
        return snapshot
    }
}

/// What ``Snapshotter/loadNewest(where:)`` found.
public struct SnapshotLoad: Sendable {
    /// The newest valid, usable snapshot, or nil if there is none.
    public let snapshot: Snapshot?
    /// Files that were damaged, newest first, now renamed to `<name>.broken`.
    public let brokenFiles: [SnapshotProblem]
}

/// A snapshot file that could not be loaded, and why.
public struct SnapshotProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file's path (before it was renamed to `.broken`).
    public let path: String
    /// What was wrong with it.
    public let reason: String

    public var description: String { "\(self.reason) (file \(self.path))" }
}

private struct SnapshotOrder: Comparable {
    let term: UInt64
    let index: UInt64

    static func < (lhs: SnapshotOrder, rhs: SnapshotOrder) -> Bool {
        (lhs.term, lhs.index) < (rhs.term, rhs.index)
    }
}

/// How long one ``Snapshotter/save(_:)`` took, in parts.
public struct SnapshotSaveTimes: Sendable {
    /// Encoding the snapshot into its record.
    public var encoding: Duration
    /// The snapshot file's fsync; nil with `unsafeNoFsync`.
    public var fsync: Duration?
    /// The whole save, directory sync included.
    public var total: Duration
}
