import Checksums
import CLMDB
import Foundation
import Glibc

/// A key that `Backend.hash` leaves out.
public struct IgnoredKey: Sendable, Hashable {
    /// The database name.
    public let database: String
    /// The key.
    public let key: [UInt8]

    /// The key `key` of the database called `database`.
    public init(database: String, key: [UInt8]) {
        self.database = database
        self.key = key
    }
}

extension Backend {
    /// CRC-32C over every database as etcd's `Maintenance.Hash` computes it over its bolt buckets: for
    /// each database in name order, its name, then each key and value in key order, skipping `ignoring`.
    /// Covers every applied write, committed or not. Any thread.
    public func hash(ignoring ignored: Set<IgnoredKey> = []) throws(BackendError) -> UInt32 {
        let view = try read()
        defer { view.close() }
        var crc = CRC32C()
        let ignoredByDatabase = Dictionary(grouping: ignored, by: \.database).mapValues { Set($0.map(\.key)) }
        for name in try view.databaseNames() {
            guard let database = databases.first(where: { $0.name == name }) else { continue }
            crc.update(name)
            let skipped = ignoredByDatabase[name] ?? []
            try view.scan(database) { key, value in
                if skipped.isEmpty || !skipped.contains(Array(key)) {
                    crc.update(key)
                    crc.update(value)
                }
                return true
            }
        }
        return crc.value
    }

    /// Writes a compacted copy of the last committed snapshot to `fileDescriptor` (LMDB's
    /// `mdb_env_copyfd2` with `MDB_CP_COMPACT`: free pages omitted, pages renumbered). The copy is a
    /// valid LMDB data file for `MDB_NOSUBDIR`; writes applied but not committed are not in it (commit
    /// first on the writer's thread when the copy must hold every applied entry). Any thread; writes
    /// continue meanwhile, and a backend closed meanwhile (replaced by a leader's snapshot) fails the copy.
    /// The caller owns, syncs and closes the descriptor.
    public func copyCompacted(to fileDescriptor: Int32) throws(BackendError) {
        try gate.shared { () throws(BackendError) in
            guard !isClosed else { throw BackendError(.lmdb(code: EBADF, operation: "copy of a closed backend")) }
            try check(mdb_env_copyfd2(environment, fileDescriptor, UInt32(MDB_CP_COMPACT)), "mdb_env_copyfd2")
        }
    }

    /// Writes a compacted copy (see `copyCompacted(to:)`) to a new file at `path`, fsynced. The file
    /// must not exist.
    public func copyCompacted(toPath path: String) throws(BackendError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw BackendError(.lmdb(code: errno, operation: "open \(path)"))
        }
        defer { Glibc.close(descriptor) }
        try copyCompacted(to: descriptor)
        guard fsync(descriptor) == 0 else {
            throw BackendError(.lmdb(code: errno, operation: "fsync \(path)"))
        }
    }

    /// Rebuilds the data file without its free pages (etcd's defrag): commits the open batch, writes a
    /// compacted copy next to the file, then, once every open read view has ended (new ones wait),
    /// renames the copy over the file, fsyncs the directory and reopens it. Reads go on during the copy;
    /// writes wait for it, since they come from this same thread. Call on the writer's thread.
    ///
    /// A crash leaves the old or the new file in place (both hold the same data), plus possibly a stale
    /// `.defrag` copy that the next defragmentation replaces. Throws when the copy cannot be written (for
    /// example on a full disk) or views stay open longer than `viewTimeout`; the backend is then unchanged.
    public func defragment(viewTimeout: Duration = .seconds(30)) throws(BackendError) {
        try writer.commit()
        let temporary = path + ".defrag"
        unlink(temporary)
        do throws(BackendError) {
            try copyCompacted(toPath: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        try gate.exclusive { () throws(BackendError) in
            let deadline = ContinuousClock.now + viewTimeout
            while openViewCount > 0 {
                guard ContinuousClock.now < deadline else {
                    unlink(temporary)
                    throw BackendError(.lmdb(code: EBUSY, operation: "defragment: read views stayed open"))
                }
                usleep(1_000)
            }
            guard rename(temporary, path) == 0 else {
                let error = BackendError(.lmdb(code: errno, operation: "rename \(temporary)"))
                unlink(temporary)
                throw error
            }
            reopenEnvironment()
        }
        try Self.syncDirectory(of: path)
    }

    /// Renames the open data file to `newPath` (replacing what is there) and syncs the directory, so the
    /// rename survives a crash; the environment stays open on the same file. A follower installs the
    /// leader's snapshot this way: opened where it was received, then moved over the old data file.
    /// Call on the writer's thread.
    public func moveDataFile(to newPath: String) throws(BackendError) {
        try gate.exclusive { () throws(BackendError) in
            // The name must still be the open file: renaming another file in its place would leave this
            // environment writing to a file no name reaches.
            var open = stat()
            var named = stat()
            var descriptor: Int32 = -1
            try check(mdb_env_get_fd(environment, &descriptor), "mdb_env_get_fd")
            guard fstat(descriptor, &open) == 0, stat(path, &named) == 0, open.st_ino == named.st_ino, open.st_dev == named.st_dev else {
                throw BackendError(.lmdb(code: ESTALE, operation: "move \(path): the name no longer refers to the open data file"))
            }
            guard rename(path, newPath) == 0 else {
                throw BackendError(.lmdb(code: errno, operation: "rename \(path) to \(newPath)"))
            }
            path = newPath
        }
        try Self.syncDirectory(of: newPath)
    }

    /// Fsyncs the directory holding `path`, so that a rename or a new file in it survives a crash.
    public static func syncDirectory(of path: String) throws(BackendError) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else {
            throw BackendError(.lmdb(code: errno, operation: "open \(directory)"))
        }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw BackendError(.lmdb(code: errno, operation: "fsync \(directory)"))
        }
    }
}
