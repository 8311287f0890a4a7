import ArgumentParser
import Foundation
import GoFormat
import Operations

/// `etcd-ops verify`: each file decompressed, its trailer and manifest checked, its bbolt file walked;
/// etcd's snapshot status of each.
struct VerifyCommand: OpsCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check backup files and print their snapshot status (hash, revision, keys, size).",
        discussion: """
            Accepts etcd-ops backups (zlib or raw, with or without a manifest), gzip-compressed snapshots and \
            plain etcd snapshot files. A damaged file exits with code 3 and names what is wrong.

            Example:
              etcd-ops verify /var/backups/etcd/etcd-backup-20261206T040000Z-r1234.db.zlib
            """
    )

    static let environmentFlags: [(name: String, isSwitch: Bool)] = [("write-out", false)]

    @Argument(help: "Backup or snapshot files.")
    var files: [String]

    @Option(name: [.customShort("w"), .customLong("write-out")], help: "table or json.")
    var writeOut = "table"

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("give at least one file") }
        guard ["table", "json"].contains(self.writeOut) else { throw ValidationError("--write-out must be table or json") }
    }

    mutating func execute() async throws {
        var reports: [BackupVerifier.Report] = []
        var failure: OpsError?
        for file in self.files {
            do throws(OpsError) {
                reports.append(try BackupVerifier.verify(file))
            } catch {
                Failure.print(error.message)
                failure = failure ?? error
            }
        }
        if self.writeOut == "json" {
            let objects = reports.map { report in
                "{\"file\":\(GoJSON.string(report.path)),\"hash\":\(report.status.hash),\"revision\":\(report.status.revision),"
                    + "\"totalKey\":\(report.status.totalKeys),\"totalSize\":\(report.status.totalSizeBytes)}"
            }
            Output.line("[" + objects.joined(separator: ",") + "]")
        } else if !reports.isEmpty {
            let rows = reports.map { report in
                [report.path, String(report.status.hash, radix: 16), "\(report.status.revision)", "\(report.status.totalKeys)",
                 HumanBytes.string(report.status.totalSizeBytes)]
            }
            Output.text(TableWriter.render(header: ["FILE", "HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"], rows: rows))
        }
        if let failure { throw ExitCode(failure.kind.rawValue) }
    }
}
