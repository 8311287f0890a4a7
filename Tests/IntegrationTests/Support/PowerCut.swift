import Foundation
import Glibc

/// The power-cut library (`PowerCut/powercut.c`) built for a test, and the undo of its journal: the file
/// as the disk held it at its last fsync, every write since lost.
enum PowerCut {
    /// Compiles the library with the system C compiler into `directory` and returns its path.
    static func buildLibrary(in directory: String) async throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PowerCut/powercut.c").path
        let library = "\(directory)/powercut.so"
        let result = try await ProcessRunner.run(
            try Binaries.system("cc"), ["-shared", "-fPIC", "-O1", "-o", library, source, "-ldl"]
        )
        guard result.status == 0 else { throw Failed(what: "cc: \(result.standardError)") }
        return library
    }

    /// The environment that makes the library journal writes to `file` into `journal`.
    static func environment(library: String, file: String, journal: String) -> [String: String] {
        ["LD_PRELOAD": library, "POWERCUT_FILE": file, "POWERCUT_JOURNAL": journal]
    }

    /// Undoes the journal's writes to `file`, newest first, and cuts the file back to its synced size.
    /// Returns how many writes were undone.
    @discardableResult
    static func cut(_ file: String, journal: String) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: journal)))
        var records: [(offset: Int64, old: ArraySlice<UInt8>, size: Int64)] = []
        var position = 0
        func integer() throws -> Int64 {
            guard position + 8 <= bytes.count else { throw Failed(what: "journal ends inside a record") }
            defer { position += 8 }
            return bytes[position..<position + 8].reversed().reduce(0) { $0 << 8 | Int64($1) }
        }
        while position < bytes.count {
            let offset = try integer()
            let saved = Int(try integer())
            let size = try integer()
            guard position + saved <= bytes.count else { throw Failed(what: "journal ends inside saved bytes") }
            records.append((offset, bytes[position..<position + saved], size))
            position += saved
        }
        let descriptor = open(file, O_WRONLY)
        guard descriptor >= 0 else { throw Failed(what: "open \(file): errno \(errno)") }
        defer { close(descriptor) }
        for record in records.reversed() where !record.old.isEmpty {
            let written = record.old.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(record.offset)) }
            guard written == record.old.count else { throw Failed(what: "pwrite \(file): errno \(errno)") }
        }
        if let synced = records.first?.size, ftruncate(descriptor, off_t(synced)) != 0 {
            throw Failed(what: "ftruncate \(file): errno \(errno)")
        }
        return records.count
    }

    struct Failed: Error, CustomStringConvertible {
        let what: String
        var description: String { self.what }
    }
}
