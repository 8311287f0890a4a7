import Foundation
import Operations
import Testing

/// Backup names, manifests and the metrics text: what the tool writes reads back the same, and names that
/// are not the tool's are not taken for its own.
struct BackupFilesTests {
    @Test func aBackupNameReadsBack() {
        let time = Date(timeIntervalSince1970: 1_796_533_178.9)
        for compression in BackupCompression.allCases {
            let name = BackupName(time: time, revision: 42, compression: compression)
            #expect(name.file == "etcd-backup-20261206T045938Z-r42" + compression.suffix)
            #expect(name.manifest == name.file + ".json")
            #expect(BackupName(file: name.file) == name)
        }
    }

    @Test(arguments: [
        "etcd-backup-20261206T045938Z-r42.db.json", "etcd-backup-20261206T045938Z.db", "backup.db", "etcd-backup-2026-r1.db",
        "etcd-backup-20261206T045938Z-r-1.db", "etcd-backup-20261206T045938Z-rx.db.zlib", "etcd-backup-20261306T045938Z-r1.db",
    ])
    func namesThatAreNotTheToolsAreNotTaken(file: String) {
        #expect(BackupName(file: file) == nil)
    }

    @Test func aManifestReadsBack() throws {
        let manifest = BackupManifest(
            file: "etcd-backup-20261206T045938Z-r51.db.zlib", clusterID: "ac7fbbaf6000d03e", memberID: "45fd50694db90290",
            endpoint: "127.0.0.1:2379", revision: 51, raftIndex: 54, raftTerm: 2, time: "2026-12-06T04:59:38Z", compression: "zlib",
            compressionLevel: 6, snapshotBytes: 20_512, fileBytes: 1_396, snapshotSHA256: "e8", fileSHA256: "3c",
            etcdVersion: "3.5.17", toolVersion: "3.5.17"
        )
        let text = String(decoding: try manifest.encoded(), as: UTF8.self)
        #expect(text.contains("\"cluster_id\" : \"ac7fbbaf6000d03e\""))
        #expect(try BackupManifest.decode(Data(text.utf8)) == manifest)
    }

    @Test func metricsCarryOverFromTheLastRun() {
        var metrics = BackupMetrics()
        metrics.recordFailure(at: Date(timeIntervalSince1970: 100), kind: .unreachable)
        metrics.recordSuccess(at: Date(timeIntervalSince1970: 200), duration: .milliseconds(1_500), sizeBytes: 1_396, revision: 51)
        var next = BackupMetrics(parsing: metrics.text)
        #expect(next.text == metrics.text)
        next.recordFailure(at: Date(timeIntervalSince1970: 300), kind: .unreachable)
        next.recordFailure(at: Date(timeIntervalSince1970: 400), kind: .locked)
        #expect(next.failures.filter { $0.value > 0 } == ["unreachable": 2, "locked": 1])
        #expect(next.lastSuccess == 200 && next.lastAttempt == 400)
        #expect(next.text.contains("etcd_ops_backup_failures_total{reason=\"unreachable\"} 2\n"))
        #expect(next.text.contains("etcd_ops_backup_duration_seconds 1.5\n"))
    }
}
