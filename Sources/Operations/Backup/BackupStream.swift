import Crypto
import EtcdClient
import Foundation
import Synchronization

/// One member's snapshot streamed into a backup file: compressed on the way (or not), hashed before and
/// after, written to `<path>.part`, synced and renamed to `path`. The client library checks the snapshot's
/// SHA-256 trailer before the last bytes are written and reads the next chunk only once this one is
/// written, so memory stays bounded; any failure removes the `.part` file.
enum BackupStream {
    /// What was written.
    struct Written: Sendable {
        var snapshotBytes: Int64 = 0
        var fileBytes: Int64 = 0
        var snapshotSHA256 = ""
        var fileSHA256 = ""
    }

    static func write(
        from client: EtcdClient,
        to path: String,
        compression: BackupCompression,
        level: Int32
    ) async throws -> Written {
        let encoder = Mutex(try BackupEncoder(path: path + ".part", compression: compression, level: level))
        do {
            try await client.snapshot { chunk in
                try encoder.withLock { encoder throws(OpsError) in try encoder.consume(chunk.bytes) }
            }
            return try encoder.withLock { encoder throws(OpsError) in try encoder.finish(as: path) }
        } catch {
            encoder.withLock { $0.discard() }
            throw error
        }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// The state of one backup being written: the compressor, both hashes and the output file.
private final class BackupEncoder {
    private let output: FileOutput
    private let compressor: ZlibStream?
    private var snapshotHash = SHA256()
    private var fileHash = SHA256()
    private var written = BackupStream.Written()

    init(path: String, compression: BackupCompression, level: Int32) throws(OpsError) {
        do {
            self.compressor = compression == .zlib ? try ZlibStream(.compress(level: level)) : nil
        } catch {
            throw OpsError(.usage, "invalid compression level \(level): \(error)")
        }
        self.output = try FileOutput(creating: path)
    }

    func consume(_ bytes: [UInt8]) throws(OpsError) {
        self.snapshotHash.update(data: bytes)
        self.written.snapshotBytes += Int64(bytes.count)
        try self.emit(try self.compressed(bytes))
    }

    func finish(as path: String) throws(OpsError) -> BackupStream.Written {
        if let compressor = self.compressor {
            let tail: [UInt8]
            do {
                tail = try compressor.finish()
            } catch {
                throw OpsError(.failed, "compressing the backup: \(error)")
            }
            try self.emit(tail)
        }
        self.written.snapshotSHA256 = BackupStream.hex(self.snapshotHash.finalize())
        self.written.fileSHA256 = BackupStream.hex(self.fileHash.finalize())
        try self.output.commit(as: path)
        return self.written
    }

    func discard() {
        self.output.discard()
    }

    private func compressed(_ bytes: [UInt8]) throws(OpsError) -> [UInt8] {
        guard let compressor = self.compressor else { return bytes }
        do {
            return try compressor.process(bytes)
        } catch {
            throw OpsError(.failed, "compressing the backup: \(error)")
        }
    }

    private func emit(_ bytes: [UInt8]) throws(OpsError) {
        guard !bytes.isEmpty else { return }
        self.fileHash.update(data: bytes)
        self.written.fileBytes += Int64(bytes.count)
        try self.output.write(bytes)
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        self.count >= width ? self : String(repeating: "0", count: width - self.count) + self
    }
}
