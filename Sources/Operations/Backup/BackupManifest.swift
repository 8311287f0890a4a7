import Foundation

/// What etcd-ops writes beside each backup (`<name>.json`): where and when the snapshot was taken, and
/// the checksums and sizes that `verify` checks the file against.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The manifest format's version.
    public var formatVersion = 1
    /// The backup file's name (in the same directory).
    public var file: String
    /// The cluster id, in hex as etcdctl prints it.
    public var clusterID: String
    /// The member the snapshot came from: its id in hex and the endpoint used.
    public var memberID: String
    public var endpoint: String
    /// The member's store revision, Raft index and term when the backup started.
    public var revision: Int64
    public var raftIndex: UInt64
    public var raftTerm: UInt64
    /// When the backup started (UTC, ISO 8601 with seconds).
    public var time: String
    /// `zlib` or `none`, and the zlib level used.
    public var compression: String
    public var compressionLevel: Int?
    /// The snapshot's size as the member sent it (database and SHA-256 trailer) and the file's size.
    public var snapshotBytes: Int64
    public var fileBytes: Int64
    /// Hex SHA-256 of the snapshot as sent (trailer included) and of the file as written.
    public var snapshotSHA256: String
    public var fileSHA256: String
    /// The member's etcd version and this tool's.
    public var etcdVersion: String
    public var toolVersion: String

    /// A manifest of the current format.
    public init(
        file: String, clusterID: String, memberID: String, endpoint: String, revision: Int64, raftIndex: UInt64,
        raftTerm: UInt64, time: String, compression: String, compressionLevel: Int?, snapshotBytes: Int64, fileBytes: Int64,
        snapshotSHA256: String, fileSHA256: String, etcdVersion: String, toolVersion: String
    ) {
        self.file = file
        self.clusterID = clusterID
        self.memberID = memberID
        self.endpoint = endpoint
        self.revision = revision
        self.raftIndex = raftIndex
        self.raftTerm = raftTerm
        self.time = time
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.snapshotBytes = snapshotBytes
        self.fileBytes = fileBytes
        self.snapshotSHA256 = snapshotSHA256
        self.fileSHA256 = fileSHA256
        self.etcdVersion = etcdVersion
        self.toolVersion = toolVersion
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case file
        case clusterID = "cluster_id"
        case memberID = "member_id"
        case endpoint
        case revision
        case raftIndex = "raft_index"
        case raftTerm = "raft_term"
        case time
        case compression
        case compressionLevel = "compression_level"
        case snapshotBytes = "snapshot_bytes"
        case fileBytes = "file_bytes"
        case snapshotSHA256 = "snapshot_sha256"
        case fileSHA256 = "file_sha256"
        case etcdVersion = "etcd_version"
        case toolVersion = "tool_version"
    }

    /// The manifest as pretty-printed JSON with sorted keys, ending with a newline.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// The manifest in `data`.
    public static func decode(_ data: Data) throws -> BackupManifest {
        try JSONDecoder().decode(BackupManifest.self, from: data)
    }
}
