import Raft
import Glibc

/// Splits `/a/b/c` into (`/a/b`, `c`).
func splitPath(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}

/// Removes a trailing slash so every directory has one spelling.
func normalizedPath(_ path: String) -> String {
    path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
}

/// One file's bytes: the durable ones, and the unsynced steps that reads see on top of them. Kept as a
/// log of steps rather than a second copy so a sync never copies a (preallocated, large) file.
struct MemoryInode {
    enum Operation {
        case write(offset: Int, bytes: [UInt8])
        case resize(Int)
    }

    var durable: [UInt8] = []
    var pending: [Operation] = []
    private(set) var currentSize = 0

    init() {}

    init(durable: [UInt8]) {
        self.durable = durable
        self.currentSize = durable.count
    }

    /// The bytes reads see.
    var current: [UInt8] {
        var bytes = self.durable
        for operation in self.pending { Self.perform(operation, on: &bytes) }
        return bytes
    }

    func read(count: Int, at offset: Int) -> [UInt8] {
        guard self.pending.isEmpty else {
            let bytes = self.current
            let start = min(offset, bytes.count)
            return Array(bytes[start..<min(start + count, bytes.count)])
        }
        let start = min(offset, self.durable.count)
        return Array(self.durable[start..<min(start + count, self.durable.count)])
    }

    mutating func apply(_ operation: Operation) {
        self.pending.append(operation)
        switch operation {
        case .write(let offset, let bytes): self.currentSize = max(self.currentSize, offset + bytes.count)
        case .resize(let size): self.currentSize = size
        }
    }

    mutating func makeDurable() {
        for operation in self.pending { Self.perform(operation, on: &self.durable) }
        self.pending.removeAll()
    }

    /// Keeps the first `kept` unsynced operations and `tornBytes` bytes of the next one if it is a write.
    mutating func losePower(keeping kept: Int, tornBytes: Int) {
        for operation in self.pending.prefix(kept) { Self.perform(operation, on: &self.durable) }
        if kept < self.pending.count, case .write(let offset, let bytes) = self.pending[kept], tornBytes > 0 {
            Self.perform(.write(offset: offset, bytes: Array(bytes.prefix(tornBytes))), on: &self.durable)
        }
        self.pending.removeAll()
        self.currentSize = self.durable.count
    }

    /// Keeps every unsynced resize and, of every unsynced write, each sector-aligned piece with
    /// probability one half.
    mutating func losePowerShufflingSectors(_ random: inout SplitMix64) {
        let sector = MemoryFileSystem.sectorBytes
        for operation in self.pending {
            guard case .write(let offset, let bytes) = operation else {
                Self.perform(operation, on: &self.durable)
                continue
            }
            var start = offset
            while start < offset + bytes.count {
                let end = min((start / sector + 1) * sector, offset + bytes.count)
                if random.next(upperBound: UInt64(2)) == 0 {
                    Self.perform(.write(offset: start, bytes: Array(bytes[(start - offset)..<(end - offset)])), on: &self.durable)
                }
                start = end
            }
        }
        self.pending.removeAll()
        self.currentSize = self.durable.count
    }

    private static func perform(_ operation: Operation, on bytes: inout [UInt8]) {
        switch operation {
        case .write(let offset, let data):
            if bytes.count < offset + data.count {
                bytes.append(contentsOf: [UInt8](repeating: 0, count: offset + data.count - bytes.count))
            }
            bytes.withUnsafeMutableBytes { target in
                data.withUnsafeBytes { target.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        case .resize(let size):
            if size < bytes.count {
                bytes.removeSubrange(size...)
            } else {
                bytes.append(contentsOf: [UInt8](repeating: 0, count: size - bytes.count))
            }
        }
    }
}

/// One directory's names: what listings see now, what survives a power cut, and the unsynced changes.
struct MemoryDirectory {
    enum Change {
        case link(name: String, inode: Int)
        case unlink(name: String)
        case rename(from: String, to: String, inode: Int)
    }

    var current: [String: Int] = [:]
    var durable: [String: Int] = [:]
    var pending: [Change] = []

    mutating func apply(_ change: Change) {
        Self.perform(change, on: &self.current)
        self.pending.append(change)
    }

    mutating func makeDurable() {
        self.durable = self.current
        self.pending.removeAll()
    }

    mutating func losePower(keeping kept: Int) {
        for change in self.pending.prefix(kept) { Self.perform(change, on: &self.durable) }
        self.current = self.durable
        self.pending.removeAll()
    }

    private static func perform(_ change: Change, on names: inout [String: Int]) {
        switch change {
        case .link(let name, let inode): names[name] = inode
        case .unlink(let name): names[name] = nil
        case .rename(let from, let to, let inode):
            names[from] = nil
            names[to] = inode
        }
    }
}

/// Everything a ``MemoryFileSystem`` holds, guarded by its lock.
struct MemoryFileSystemState {
    var inodes: [Int: MemoryInode] = [:]
    var directories: [String: MemoryDirectory] = ["/": MemoryDirectory()]
    var nextInode = 1
    var generation = 0
    var fileSyncCount = 0
    var directorySyncCount = 0
    var operationCount = 0
    var pendingCapture: (operation: Int, mode: MemoryFileSystem.PowerCut)?
    var crashImage: CrashImage?

    /// Counts a mutating operation about to happen, first recording the crash image if it is due.
    mutating func beginOperation() {
        self.operationCount += 1
        if let capture = self.pendingCapture, capture.operation == self.operationCount {
            var image = self
            image.pendingCapture = nil
            image.crashImage = nil
            image.cutPower(capture.mode)
            self.crashImage = CrashImage(state: image)
            self.pendingCapture = nil
        }
    }

    func inode(atPath path: String) -> Int? {
        let (directory, name) = splitPath(normalizedPath(path))
        return self.directories[directory]?.current[name]
    }

    mutating func open(path: String, mode: FileOpenMode) throws(FileSystemError) -> Int {
        let (directory, name) = splitPath(normalizedPath(path))
        guard self.directories[directory] != nil else { throw FileSystemError(operation: "open", path: path, errno: ENOENT) }
        if let id = self.directories[directory]!.current[name] {
            guard mode != .createNew else { throw FileSystemError(operation: "open", path: path, errno: EEXIST) }
            return id
        }
        guard mode == .createNew else { throw FileSystemError(operation: "open", path: path, errno: ENOENT) }
        self.beginOperation()
        let id = self.nextInode
        self.nextInode += 1
        self.inodes[id] = MemoryInode()
        self.directories[directory]!.apply(.link(name: name, inode: id))
        return id
    }

    mutating func rename(_ oldPath: String, _ newPath: String) throws(FileSystemError) {
        let (oldDirectory, oldName) = splitPath(normalizedPath(oldPath))
        let (newDirectory, newName) = splitPath(normalizedPath(newPath))
        guard oldDirectory == newDirectory else { throw FileSystemError(operation: "rename", path: oldPath, errno: EXDEV) }
        guard let id = self.directories[oldDirectory]?.current[oldName] else {
            throw FileSystemError(operation: "rename", path: oldPath, errno: ENOENT)
        }
        self.beginOperation()
        self.directories[oldDirectory]!.apply(.rename(from: oldName, to: newName, inode: id))
    }

    mutating func remove(_ path: String) throws(FileSystemError) {
        let (directory, name) = splitPath(normalizedPath(path))
        guard self.directories[directory]?.current[name] != nil else {
            throw FileSystemError(operation: "unlink", path: path, errno: ENOENT)
        }
        self.beginOperation()
        self.directories[directory]!.apply(.unlink(name: name))
    }

    mutating func syncDirectory(_ path: String, ignoring: Bool) throws(FileSystemError) {
        guard self.directories[normalizedPath(path)] != nil else {
            throw FileSystemError(operation: "open directory", path: path, errno: ENOENT)
        }
        self.beginOperation()
        self.directorySyncCount += 1
        if !ignoring { self.directories[normalizedPath(path)]!.makeDurable() }
    }

    mutating func cutPower(_ mode: MemoryFileSystem.PowerCut) {
        var random: SplitMix64? = nil
        switch mode {
        case .dropUnsynced: break
        case .tear(let seed), .shuffleSectors(let seed): random = SplitMix64(seed: seed)
        }
        for id in self.inodes.keys.sorted() {
            let pending = self.inodes[id]!.pending
            if case .shuffleSectors = mode {
                self.inodes[id]!.losePowerShufflingSectors(&random!)
                continue
            }
            var kept = 0
            var torn = 0
            if random != nil {
                kept = Int(random!.next(upperBound: UInt64(pending.count + 1)))
                if kept < pending.count, case .write(_, let bytes) = pending[kept], !bytes.isEmpty {
                    torn = Int(random!.next(upperBound: UInt64(bytes.count)))
                }
            }
            self.inodes[id]!.losePower(keeping: kept, tornBytes: torn)
        }
        for path in self.directories.keys.sorted() {
            let pending = self.directories[path]!.pending.count
            let kept = random != nil ? Int(random!.next(upperBound: UInt64(pending + 1))) : 0
            self.directories[path]!.losePower(keeping: kept)
        }
        let reachable = Set(self.directories.values.flatMap { $0.current.values })
        self.inodes = self.inodes.filter { reachable.contains($0.key) }
        self.generation += 1
    }
}

/// A recorded post-power-cut state (a class, since the state cannot hold itself).
final class CrashImage {
    let state: MemoryFileSystemState

    init(state: MemoryFileSystemState) {
        self.state = state
    }
}
