/// The file operations the WAL and the snapshotter perform, and nothing else: the seam that lets the same
/// code run on the real disk (``POSIXFileSystem``) or on a model that can lose power (``MemoryFileSystem``).
///
/// Durability contract, which both implementations honour and the WAL relies on:
/// - Bytes written to a file are durable only after ``FileSystemFile/sync()`` or
///   ``FileSystemFile/dataSync()`` on that file returns.
/// - A file's name (its creation, a rename to it, its removal) is durable only after
///   ``syncDirectory(atPath:)`` on the directory holding it returns.
///
/// Every method throws ``FileSystemError`` on failure. Paths are plain strings joined with `/`.
/// Implementations are safe to call from any thread; one file handle has one user at a time.
public protocol FileSystem: Sendable {
    /// Opens a file. `.createNew` fails with `EEXIST` if the path exists.
    func openFile(atPath path: String, mode: FileOpenMode) throws -> any FileSystemFile

    /// Renames a file within one directory, replacing any file at `newPath`.
    func rename(atPath oldPath: String, toPath newPath: String) throws

    /// Removes a file.
    func removeFile(atPath path: String) throws

    /// Makes the names in a directory durable (fsync of the directory).
    func syncDirectory(atPath path: String) throws

    /// The names in a directory (not paths), in no particular order, without `.` and `..`.
    func listDirectory(atPath path: String) throws -> [String]

    /// Creates one directory level; succeeds if the directory already exists.
    func createDirectory(atPath path: String) throws

    /// Whether anything exists at `path`.
    func exists(atPath path: String) -> Bool
}

/// How ``FileSystem/openFile(atPath:mode:)`` opens a file.
public enum FileOpenMode: Sendable, Hashable {
    /// Existing file, reads only.
    case readOnly
    /// Existing file, reads and writes.
    case readWrite
    /// A new empty file, reads and writes; fails if the path exists.
    case createNew
}

/// An open file. All I/O is positional, so a handle keeps no cursor.
///
/// One owner at a time; a handle must be closed exactly once and not used afterwards.
public protocol FileSystemFile: AnyObject {
    /// The path the file was opened at.
    var path: String { get }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, atOffset offset: Int64) throws -> [UInt8]

    /// Writes all of `bytes` at `offset`, extending the file if needed.
    func write(_ bytes: UnsafeRawBufferPointer, atOffset offset: Int64) throws

    /// The file's current size in bytes.
    func size() throws -> Int64

    /// Sets the file's size, cutting off or zero-extending its end.
    func truncate(toSize size: Int64) throws

    /// Reserves disk space so the file is at least `size` bytes long, the new part reading as zeros
    /// (`posix_fallocate`); a file already that long is unchanged.
    func allocate(size: Int64) throws

    /// Makes the file's data and metadata durable (`fsync`).
    func sync() throws

    /// Makes the file's data, and the metadata needed to read it back, durable (`fdatasync`).
    func dataSync() throws

    /// Releases the handle.
    func close() throws
}

extension FileSystemFile {
    /// Writes all of `bytes` at `offset`, as the raw-buffer form does.
    public func write(_ bytes: [UInt8], atOffset offset: Int64) throws {
        try bytes.withUnsafeBytes { try self.write($0, atOffset: offset) }
    }

    /// Reads the whole file.
    public func readAll() throws -> [UInt8] {
        let total = try self.size()
        return try self.read(count: Int(total), atOffset: 0)
    }
}

/// Joins a directory and a name into a path.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
