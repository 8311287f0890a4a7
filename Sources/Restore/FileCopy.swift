#if canImport(Glibc)
import Glibc
#endif

/// Copies the first bytes of a file into a new file, durably.
enum FileCopy {
    static func copy(_ source: String, to destination: String, bytes: Int64) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RestoreError("open \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw RestoreError("open \(destination): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < bytes {
            let got = try SnapshotFile.read(input, into: &buffer, count: Int(min(Int64(buffer.count), bytes - offset)), at: offset, path: source)
            var written = 0
            while written < got {
                let count = buffer.withUnsafeBytes { pwrite(output, $0.baseAddress! + written, got - written, off_t(offset) + off_t(written)) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw RestoreError("write \(destination): \(String(cString: strerror(errno)))") }
                written += count
            }
            offset += Int64(got)
        }
        guard fsync(output) == 0 else { throw RestoreError("fsync \(destination): \(String(cString: strerror(errno)))") }
    }
}
