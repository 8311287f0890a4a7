import Glibc

/// A file read or written with plain POSIX calls, for snapshot transfers. Its calls block: run them on a
/// thread pool, never on an event loop or the cooperative pool.
struct PlainFile: Sendable {
    let descriptor: CInt
    let path: String

    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) throws(PeerProtocolError) -> PlainFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("create", path) }
        return PlainFile(descriptor: descriptor, path: path)
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) throws(PeerProtocolError) -> PlainFile {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        return PlainFile(descriptor: descriptor, path: path)
    }

    func write(_ bytes: [UInt8]) throws(PeerProtocolError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(self.descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.failure("write", self.path)
            }
            offset += written
        }
    }

    /// Up to `count` bytes; empty at the end of the file.
    func read(upTo count: Int) throws(PeerProtocolError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(self.descriptor, $0.baseAddress, count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw Self.failure("read", self.path)
            }
            buffer.removeLast(count - got)
            return buffer
        }
    }

    func sync() throws(PeerProtocolError) {
        guard fsync(self.descriptor) == 0 else { throw Self.failure("fsync", self.path) }
    }

    func close() {
        _ = Glibc.close(self.descriptor)
    }

    private static func failure(_ operation: String, _ path: String) -> PeerProtocolError {
        PeerProtocolError("\(operation) \(path): \(String(cString: strerror(errno)))")
    }
}
