/// What `snapshot restore` is asked to make, with etcdutl 3.5's flags and defaults.
public struct RestoreConfiguration: Sendable {
    /// The snapshot file (`<filename>`).
    public var snapshotPath: String
    /// `--name`.
    public var name: String = "default"
    /// `--data-dir`; empty means `<name>.etcd`.
    public var dataDirectory: String = ""
    /// `--wal-dir`; empty means `<data-dir>/member/wal`.
    public var walDirectory: String = ""
    /// `--initial-cluster`.
    public var initialCluster: String = "default=http://localhost:2380"
    /// `--initial-cluster-token`.
    public var initialClusterToken: String = "etcd-cluster"
    /// `--initial-advertise-peer-urls`, comma separated.
    public var initialAdvertisePeerURLs: String = "http://localhost:2380"
    /// `--skip-hash-check`.
    public var skipHashCheck: Bool = false
    /// `--bump-revision`: how far the newest revision moves up.
    public var bumpRevision: UInt64 = 0
    /// `--mark-compacted`: the moved-up revision is compacted (required with a bump, refused without).
    public var markCompacted: Bool = false

    /// A restore of `snapshotPath` with etcdutl's defaults.
    public init(snapshotPath: String) {
        self.snapshotPath = snapshotPath
    }

    /// The data directory: `--data-dir`, or `<name>.etcd`.
    public var resolvedDataDirectory: String {
        self.dataDirectory.isEmpty ? self.name + ".etcd" : self.dataDirectory
    }

    /// The WAL directory: `--wal-dir`, or `<data-dir>/member/wal`.
    public var resolvedWALDirectory: String {
        self.walDirectory.isEmpty ? self.resolvedDataDirectory + "/member/wal" : self.walDirectory
    }
}
