import Foundation

/// The names of the backups etcd-ops makes: `etcd-backup-<UTC time>-r<revision><suffix>`, for example
/// `etcd-backup-20261206T044500Z-r42.db.zlib`, with the manifest at the same name plus `.json`. Only files
/// named so and with a manifest count as the tool's own (retention never touches anything else).
public struct BackupName: Sendable, Hashable {
    static let prefix = "etcd-backup-"

    /// When the backup started, to the second.
    public let time: Date
    public let revision: Int64
    public let compression: BackupCompression

    public init(time: Date, revision: Int64, compression: BackupCompression) {
        self.time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        self.revision = revision
        self.compression = compression
    }

    /// The backup file's name.
    public var file: String {
        "\(Self.prefix)\(Self.stamp(self.time))-r\(self.revision)\(self.compression.suffix)"
    }

    /// The manifest's name.
    public var manifest: String { self.file + ".json" }

    /// The backup a file name names, or nil when the name is not one of ours.
    public init?(file: String) {
        guard file.hasPrefix(Self.prefix) else { return nil }
        var rest = file.dropFirst(Self.prefix.count)
        guard let compression = BackupCompression.allCases.sorted(by: { $0.suffix.count > $1.suffix.count })
            .first(where: { rest.hasSuffix($0.suffix) })
        else { return nil }
        rest = rest.dropLast(compression.suffix.count)
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].hasPrefix("r"), let revision = Int64(parts[1].dropFirst()), revision >= 0,
            let time = Self.date(String(parts[0]))
        else { return nil }
        self.init(time: time, revision: revision, compression: compression)
        guard self.file == file else { return nil }
    }

    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }

    static func stamp(_ date: Date) -> String {
        self.formatter().string(from: date)
    }

    private static func date(_ stamp: String) -> Date? {
        self.formatter().date(from: stamp)
    }
}
