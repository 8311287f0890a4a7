import Crypto
import Foundation
import Glibc

/// A backup file made a plain snapshot again: zlib or gzip decompressed (a raw snapshot copied) into a
/// temporary file, hashing the file as read and the snapshot as written, so both can be held against the
/// manifest. The temporary file is removed by ``remove()``.
struct BackupExpansion {
    let snapshotPath: String
    let content: BackupCompression.Content
    let fileBytes: Int64
    let snapshotBytes: Int64
    let fileSHA256: String
    let snapshotSHA256: String

    /// Expands `path` into a new file in `temporaryDirectory`.
    static func expand(_ path: String, temporaryDirectory: String) throws(OpsError) -> BackupExpansion {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw OpsError(.invalidBackup, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let target = (temporaryDirectory as NSString).appendingPathComponent(".etcd-ops-expand-\(getpid())-\(UUID().uuidString).db")
        let output = try FileOutput(creating: target)
        do throws(OpsError) {
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            var fileHash = SHA256()
            var snapshotHash = SHA256()
            var fileBytes: Int64 = 0
            var snapshotBytes: Int64 = 0
            var content: BackupCompression.Content?
            var decompressor: ZlibStream?
            while true {
                let count = read(input, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw OpsError(.invalidBackup, "cannot read \(path): \(String(cString: strerror(errno)))") }
                if count == 0 { break }
                let bytes = Array(buffer[0..<count])
                fileHash.update(data: bytes)
                fileBytes += Int64(count)
                if content == nil {
                    content = BackupCompression.content(startingWith: bytes)
                    if content != .raw { decompressor = try Self.decompressor() }
                }
                let plain = try Self.pass(bytes, through: decompressor, path: path)
                snapshotHash.update(data: plain)
                snapshotBytes += Int64(plain.count)
                try output.write(plain)
            }
            if let decompressor {
                do {
                    _ = try decompressor.finish()
                } catch {
                    throw OpsError(.invalidBackup, "\(path): \(error)")
                }
            }
            try output.commit(as: target)
            return BackupExpansion(
                snapshotPath: target, content: content ?? .raw, fileBytes: fileBytes, snapshotBytes: snapshotBytes,
                fileSHA256: BackupStream.hex(fileHash.finalize()), snapshotSHA256: BackupStream.hex(snapshotHash.finalize())
            )
        } catch {
            output.discard()
            unlink(target)
            throw error
        }
    }

    /// Removes the expanded snapshot.
    func remove() {
        unlink(self.snapshotPath)
    }

    private static func decompressor() throws(OpsError) -> ZlibStream {
        do {
            return try ZlibStream(.decompress)
        } catch {
            throw OpsError(.failed, "zlib: \(error)")
        }
    }

    private static func pass(_ bytes: [UInt8], through decompressor: ZlibStream?, path: String) throws(OpsError) -> [UInt8] {
        guard let decompressor else { return bytes }
        do {
            return try decompressor.process(bytes)
        } catch {
            throw OpsError(.invalidBackup, "\(path): \(error)")
        }
    }
}
