import BoltFile
import GoFormat

extension Printer {
    /// `snapshot status` as etcdutl prints it: hash in hex without padding, sizes through humanize in
    /// simple and table output, the raw numbers in json and fields.
    func snapshotStatus(_ status: SnapshotStatus) throws(CommandError) {
        let row = [String(status.hash, radix: 16), "\(status.revision)", "\(status.totalKeys)", HumanBytes.string(status.totalSizeBytes)]
        switch self.format {
        case .simple:
            self.console.out(row.joined(separator: ", ") + "\n")
        case .json:
            self.console.out(GoJSON.object([
                ("hash", "\(status.hash)"), ("revision", "\(status.revision)"), ("totalKey", "\(status.totalKeys)"),
                ("totalSize", "\(status.totalSizeBytes)"),
            ]) + "\n")
        case .fields:
            self.console.out("\"Hash\" : \(status.hash)\n\"Revision\" : \(status.revision)\n\"Keys\" : \(status.totalKeys)\n\"Size\" : \(status.totalSizeBytes)\n")
        case .table:
            self.console.out(TableWriter.render(header: ["hash", "revision", "total keys", "total size"], rows: [row]))
        case .protobuf:
            throw self.unsupported()
        }
    }
}
