import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A hidden directory beside a restore's target (`.<name>.restore-<random>` in the same parent, so a
/// rename moves it into place), where the target is built before it is published.
struct StagingDirectory {
    let path: String

    /// Creates the staging directory beside `target`, creating the parent if missing.
    init(beside target: String) throws {
        let url = URL(fileURLWithPath: target).standardized
        let parent = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        self.path = "\(parent)/.\(url.lastPathComponent).restore-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    }

    /// Makes everything under the staging directory durable and renames it to `target` (an empty target
    /// directory is replaced), then syncs the parent so the new name survives a crash.
    func publish(as target: String) throws {
        try Self.syncTree(self.path)
        if FileManager.default.fileExists(atPath: target) {
            guard rmdir(target) == 0 else { throw RestoreError("remove \(target): \(String(cString: strerror(errno)))") }
        }
        guard rename(self.path, target) == 0 else {
            throw RestoreError("rename \(self.path) to \(target): \(String(cString: strerror(errno)))")
        }
        try Self.sync(URL(fileURLWithPath: target).standardized.deletingLastPathComponent().path)
    }

    /// Removes the staging directory and what it holds (after a failure).
    func discard() {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    private static func syncTree(_ path: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            try self.sync("\(path)/\(relative)")
        }
        try self.sync(path)
    }

    private static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RestoreError("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw RestoreError("fsync \(path): \(String(cString: strerror(errno)))") }
    }
}
