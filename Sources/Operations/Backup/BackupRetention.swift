import Foundation
import Glibc

/// The retention policy applied to a backup directory. Only the tool's own backups take part: files named
/// as ``BackupName`` names them, each with its manifest; one whose manifest matches its size counts as
/// verified (the newest of those always stays). Anything else in the directory is never touched.
enum BackupRetention {
    /// Removes what `policy` does not keep; returns the removed files' names.
    static func apply(_ policy: RetentionPolicy, in directory: String, now: Date) throws(OpsError) -> [String] {
        guard policy.hasRules else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw OpsError(.output, "cannot list \(directory): \(error.localizedDescription)")
        }
        let present = Set(names)
        let records = names.compactMap { file -> BackupRecord? in
            guard let name = BackupName(file: file), present.contains(name.manifest) else { return nil }
            return BackupRecord(name: file, time: name.time, verified: Self.matchesManifest(file, in: directory))
        }
        let decision = policy.decide(records, now: now)
        for record in decision.delete {
            let path = (directory as NSString).appendingPathComponent(record.name)
            guard unlink(path) == 0, unlink(path + ".json") == 0 || errno == ENOENT else {
                throw FileOutput.failure("remove", path)
            }
        }
        return decision.delete.map(\.name)
    }

    private static func matchesManifest(_ file: String, in directory: String) -> Bool {
        let path = (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path + ".json"),
            let manifest = try? BackupManifest.decode(data),
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value
        else { return false }
        return manifest.file == file && manifest.fileBytes == size
    }
}
