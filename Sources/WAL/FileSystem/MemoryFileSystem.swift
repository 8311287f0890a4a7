import Glibc
import Synchronization

/// An in-memory ``FileSystem`` that models what a power cut keeps: each file's written-but-unsynced
/// bytes are kept apart from its durable bytes, and each directory's unsynced name changes (create,
/// rename, remove) apart from its durable names, so ``cutPower(_:)`` can drop or tear exactly what a real
/// disk could lose. Directories themselves are always durable.
///
/// Thread-safe (one lock). After ``cutPower(_:)`` every handle opened before it fails with `EIO`, as a
/// process that lost power would never use them again.
public final class MemoryFileSystem: FileSystem {
    /// Ways to make the model lie about durability, so tests can prove they notice a missing sync.
    public struct Faults: Sendable, Hashable {
        /// File fsync/fdatasync return success without making anything durable.
        public var ignoresFileSync: Bool
        /// Directory fsync returns success without making any name durable.
        public var ignoresDirectorySync: Bool

        /// Creates a fault set; none by default.
        public init(ignoresFileSync: Bool = false, ignoresDirectorySync: Bool = false) {
            self.ignoresFileSync = ignoresFileSync
            self.ignoresDirectorySync = ignoresDirectorySync
        }
    }

    /// What a power cut keeps of the unsynced state.
    public enum PowerCut: Sendable, Hashable {
        /// Nothing unsynced survives.
        case dropUnsynced
        /// For each file, a random prefix of its unsynced operations survives, the first lost write cut at
        /// a random byte; for each directory, a random prefix of its unsynced name changes survives.
        case tear(seed: UInt64)
        /// For each file, each 512-byte sector touched by an unsynced write survives or not by a coin
        /// toss, independently of the others, as a disk that writes back out of order; resizes survive.
        /// Directories keep a random prefix of their unsynced name changes.
        case shuffleSectors(seed: UInt64)
    }

    /// The sector size ``PowerCut/shuffleSectors(seed:)`` works in.
    public static let sectorBytes = 512

    private let state: Mutex<MemoryFileSystemState>
    private let faults: Faults

    /// Creates an empty file system with the root directory `/`.
    public init(faults: Faults = Faults()) {
        self.faults = faults
        self.state = Mutex(MemoryFileSystemState())
    }

    /// Simulates losing power: the unsynced state is dropped or torn as `mode` says, and every open
    /// handle becomes unusable.
    public func cutPower(_ mode: PowerCut) {
        self.state.withLock { $0.cutPower(mode) }
    }

    /// Arranges for the state a power cut would leave just before mutating operation number `operation`
    /// (counting from 1 since this file system was made; see ``operationCount``) to be recorded, while
    /// the file system goes on working normally. ``restoreCrashImage()`` later returns to that state, so a
    /// test can "cut power" in the middle of a WAL save without the WAL ever seeing an error.
    public func captureCrashImage(beforeOperation operation: Int, mode: PowerCut) {
        self.state.withLock { state in
            precondition(operation > state.operationCount, "operation \(operation) has already happened")
            state.pendingCapture = (operation, mode)
            state.crashImage = nil
        }
    }

    /// Replaces everything with the state recorded by ``captureCrashImage(beforeOperation:mode:)``, as
    /// after a reboot; returns false (changing nothing) if that operation was never reached. Handles
    /// opened before become unusable.
    public func restoreCrashImage() -> Bool {
        self.state.withLock { state in
            guard var image = state.crashImage?.state else { return false }
            image.generation = state.generation + 1
            image.operationCount = state.operationCount
            image.fileSyncCount = state.fileSyncCount
            image.directorySyncCount = state.directorySyncCount
            state = image
            return true
        }
    }

    /// How many mutating operations (create, write, truncate, allocate, sync, rename, remove, directory
    /// sync) have been performed.
    public var operationCount: Int { self.state.withLock { $0.operationCount } }

    /// How many file fsync/fdatasync calls returned success.
    public var fileSyncCount: Int { self.state.withLock { $0.fileSyncCount } }

    /// How many directory fsync calls returned success.
    public var directorySyncCount: Int { self.state.withLock { $0.directorySyncCount } }

    /// The current (not necessarily durable) contents of a file, or nil if there is none at `path`.
    public func contents(atPath path: String) -> [UInt8]? {
        self.state.withLock { state in state.inode(atPath: path).map { state.inodes[$0]!.current } }
    }

    /// Replaces a file's contents, durably, as a disk fault would; returns false if there is no file.
    @discardableResult
    public func replaceContents(atPath path: String, with bytes: [UInt8]) -> Bool {
        self.state.withLock { state in
            guard let id = state.inode(atPath: path) else { return false }
            state.inodes[id] = MemoryInode(durable: bytes)
            return true
        }
    }

    public func openFile(atPath path: String, mode: FileOpenMode) throws -> any FileSystemFile {
        let (id, generation) = try self.state.withLock { state throws(FileSystemError) in
            (try state.open(path: path, mode: mode), state.generation)
        }
        return MemoryFile(fileSystem: self, inode: id, generation: generation, path: path, writable: mode != .readOnly)
    }

    public func rename(atPath oldPath: String, toPath newPath: String) throws {
        try self.state.withLock { state throws(FileSystemError) in try state.rename(oldPath, newPath) }
    }

    public func removeFile(atPath path: String) throws {
        try self.state.withLock { state throws(FileSystemError) in try state.remove(path) }
    }

    public func syncDirectory(atPath path: String) throws {
        let ignores = self.faults.ignoresDirectorySync
        try self.state.withLock { state throws(FileSystemError) in
            try state.syncDirectory(path, ignoring: ignores)
        }
    }

    public func listDirectory(atPath path: String) throws -> [String] {
        try self.state.withLock { state throws(FileSystemError) in
            guard let directory = state.directories[normalizedPath(path)] else {
                throw FileSystemError(operation: "opendir", path: path, errno: ENOENT)
            }
            return Array(directory.current.keys)
        }
    }

    public func createDirectory(atPath path: String) throws {
        try self.state.withLock { state throws(FileSystemError) in
            let (parent, _) = splitPath(normalizedPath(path))
            guard state.directories[parent] != nil else {
                throw FileSystemError(operation: "mkdir", path: path, errno: ENOENT)
            }
            if state.directories[normalizedPath(path)] == nil {
                state.directories[normalizedPath(path)] = MemoryDirectory()
            }
        }
    }

    public func exists(atPath path: String) -> Bool {
        self.state.withLock { $0.directories[normalizedPath(path)] != nil || $0.inode(atPath: path) != nil }
    }

    fileprivate func withInode<T>(
        _ file: MemoryFile, operation: String, mutating: Bool = true,
        _ body: (inout MemoryInode) throws(FileSystemError) -> T
    ) throws(FileSystemError) -> T {
        try self.state.withLock { state throws(FileSystemError) -> T in
            guard state.generation == file.generation, state.inodes[file.inode] != nil else {
                throw FileSystemError(operation: operation, path: file.path, errno: EIO)
            }
            if mutating { state.beginOperation() }
            return try body(&state.inodes[file.inode]!)
        }
    }

    fileprivate func sync(_ file: MemoryFile, operation: String) throws(FileSystemError) {
        let ignores = self.faults.ignoresFileSync
        try self.state.withLock { state throws(FileSystemError) in
            guard state.generation == file.generation, state.inodes[file.inode] != nil else {
                throw FileSystemError(operation: operation, path: file.path, errno: EIO)
            }
            state.beginOperation()
            state.fileSyncCount += 1
            if !ignores { state.inodes[file.inode]!.makeDurable() }
        }
    }
}

/// A handle on a ``MemoryFileSystem`` inode.
private final class MemoryFile: FileSystemFile {
    let path: String
    let inode: Int
    let generation: Int
    private let fileSystem: MemoryFileSystem
    private let writable: Bool
    private var closed = false

    init(fileSystem: MemoryFileSystem, inode: Int, generation: Int, path: String, writable: Bool) {
        self.fileSystem = fileSystem
        self.inode = inode
        self.generation = generation
        self.path = path
        self.writable = writable
    }

    func read(count: Int, atOffset offset: Int64) throws -> [UInt8] {
        try self.fileSystem.withInode(self, operation: "pread", mutating: false) { $0.read(count: count, at: Int(offset)) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, atOffset offset: Int64) throws {
        try self.checkWritable("pwrite")
        let copy = [UInt8](bytes)
        try self.fileSystem.withInode(self, operation: "pwrite") { $0.apply(.write(offset: Int(offset), bytes: copy)) }
    }

    func size() throws -> Int64 {
        try self.fileSystem.withInode(self, operation: "fstat", mutating: false) { Int64($0.currentSize) }
    }

    func truncate(toSize size: Int64) throws {
        try self.checkWritable("ftruncate")
        try self.fileSystem.withInode(self, operation: "ftruncate") { $0.apply(.resize(Int(size))) }
    }

    func allocate(size: Int64) throws {
        try self.checkWritable("posix_fallocate")
        try self.fileSystem.withInode(self, operation: "posix_fallocate") { inode in
            if inode.currentSize < Int(size) { inode.apply(.resize(Int(size))) }
        }
    }

    func sync() throws { try self.fileSystem.sync(self, operation: "fsync") }

    func dataSync() throws { try self.fileSystem.sync(self, operation: "fdatasync") }

    func close() throws {
        precondition(!self.closed, "file \(self.path) closed twice")
        self.closed = true
    }

    private func checkWritable(_ operation: String) throws {
        precondition(!self.closed, "file \(self.path) used after close")
        guard self.writable else { throw FileSystemError(operation: operation, path: self.path, errno: EBADF) }
    }
}
