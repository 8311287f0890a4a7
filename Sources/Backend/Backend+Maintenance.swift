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
    /// continue meanwhile. The caller owns, syncs and closes the descriptor.
    public func copyCompacted(to fileDescriptor: Int32) throws(BackendError) {
        try check(mdb_env_copyfd2(environment, fileDescriptor, UInt32(MDB_CP_COMPACT)), "mdb_env_copyfd2")
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

    /// Defragments the closed data file of `configuration`: writes a compacted copy next to it,
    /// fsyncs it, renames it over the original and fsyncs the directory (etcd's defrag). The backend
    /// must be closed (the caller stops applying and reading first, as etcd holds every lock during a
    /// defrag) and reopened afterwards. A crash leaves either the old or the new file in place, plus
    /// possibly a stale `.defrag` copy that the next defrag replaces.
    public static func defragment(configuration: BackendConfiguration) throws(BackendError) {
        let temporary = configuration.path + ".defrag"
        unlink(temporary)
        let backend = try Backend(configuration: configuration)
        do throws(BackendError) {
            try backend.copyCompacted(toPath: temporary)
        } catch {
            backend.close()
            unlink(temporary)
            throw error
        }
        backend.close()
        guard rename(temporary, configuration.path) == 0 else {
            throw BackendError(.lmdb(code: errno, operation: "rename \(temporary)"))
        }
        let directory = (configuration.path as NSString).deletingLastPathComponent
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
