import Glibc

/// ``FileSystem`` on the real disk through POSIX calls. Stateless and safe from any thread.
public struct POSIXFileSystem: FileSystem {
    /// Permissions of files and directories it creates (owner only, like etcd's private file mode).
    public static let createdFileMode: mode_t = 0o600
    /// See ``createdFileMode``.
    public static let createdDirectoryMode: mode_t = 0o700

    /// Creates the file system.
    public init() {}

    public func openFile(atPath path: String, mode: FileOpenMode) throws -> any FileSystemFile {
        let flags: Int32
        switch mode {
        case .readOnly: flags = O_RDONLY | O_CLOEXEC
        case .readWrite: flags = O_RDWR | O_CLOEXEC
        case .createNew: flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC
        }
        let fd = retryingInterrupts { open(path, flags, Self.createdFileMode) }
        guard fd >= 0 else { throw FileSystemError(operation: "open", path: path, errno: errno) }
        return POSIXFile(descriptor: fd, path: path)
    }

    public func rename(atPath oldPath: String, toPath newPath: String) throws {
        guard Glibc.rename(oldPath, newPath) == 0 else {
            throw FileSystemError(operation: "rename to \(newPath)", path: oldPath, errno: errno)
        }
    }

    public func removeFile(atPath path: String) throws {
        guard unlink(path) == 0 else { throw FileSystemError(operation: "unlink", path: path, errno: errno) }
    }

    public func syncDirectory(atPath path: String) throws {
        let fd = retryingInterrupts { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileSystemError(operation: "open directory", path: path, errno: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync directory", path: path, errno: errno) }
    }

    public func listDirectory(atPath path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw FileSystemError(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func createDirectory(atPath path: String) throws {
        guard mkdir(path, Self.createdDirectoryMode) == 0 || errno == EEXIST else {
            throw FileSystemError(operation: "mkdir", path: path, errno: errno)
        }
    }

    public func exists(atPath path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

/// A file descriptor opened by ``POSIXFileSystem``.
private final class POSIXFile: FileSystemFile {
    let path: String
    private var descriptor: Int32

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        if self.descriptor >= 0 { Glibc.close(self.descriptor) }
    }

    func read(count: Int, atOffset offset: Int64) throws -> [UInt8] {
        var done = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while done < count {
                let n = retryingInterrupts {
                    pread(self.descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                }
                if n < 0 { throw FileSystemError(operation: "pread", path: self.path, errno: errno) }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        return bytes
    }

    func write(_ bytes: UnsafeRawBufferPointer, atOffset offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let n = retryingInterrupts {
                pwrite(self.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            }
            if n < 0 { throw FileSystemError(operation: "pwrite", path: self.path, errno: errno) }
            done += n
        }
    }

    func size() throws -> Int64 {
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else {
            throw FileSystemError(operation: "fstat", path: self.path, errno: errno)
        }
        return Int64(info.st_size)
    }

    func truncate(toSize size: Int64) throws {
        guard retryingInterrupts({ ftruncate(self.descriptor, off_t(size)) }) == 0 else {
            throw FileSystemError(operation: "ftruncate", path: self.path, errno: errno)
        }
    }

    func allocate(size: Int64) throws {
        guard try self.size() < size else { return }
        var result: Int32
        repeat {
            result = posix_fallocate(self.descriptor, 0, off_t(size))
        } while result == EINTR
        guard result == 0 else { throw FileSystemError(operation: "posix_fallocate", path: self.path, errno: result) }
    }

    func sync() throws {
        guard fsync(self.descriptor) == 0 else { throw FileSystemError(operation: "fsync", path: self.path, errno: errno) }
    }

    func dataSync() throws {
        guard fdatasync(self.descriptor) == 0 else {
            throw FileSystemError(operation: "fdatasync", path: self.path, errno: errno)
        }
    }

    func close() throws {
        precondition(self.descriptor >= 0, "file \(self.path) closed twice")
        let fd = self.descriptor
        self.descriptor = -1
        guard Glibc.close(fd) == 0 else { throw FileSystemError(operation: "close", path: self.path, errno: errno) }
    }
}

/// Repeats a call that failed with `EINTR` (a signal arrived before it did anything). Never used for
/// fsync: a failed fsync is reported, not retried.
private func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}
