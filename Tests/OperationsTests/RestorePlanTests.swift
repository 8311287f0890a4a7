import Operations
import Restore
import Testing

/// The YAML plan of `etcd-ops restore --cluster-from`: members, their peer URLs and directories become one
/// restore configuration each with the whole initial cluster; a plan that cannot work is refused.
struct RestorePlanTests {
    static let yaml = """
        initial-cluster-token: restored-1
        members:
          - name: m1
            data-dir: /srv/m1
            peer-urls: http://10.0.0.1:2380
          - name: m2
            data-dir: /srv/m2
            peer-urls: http://10.0.0.2:2380,http://10.0.1.2:2380
            wal-dir: /fast/m2-wal
        """

    @Test func aPlanGivesOneRestorePerMember() throws {
        let plan = try RestorePlan(yaml: Self.yaml)
        #expect(plan.initialCluster == "m1=http://10.0.0.1:2380,m2=http://10.0.0.2:2380,m2=http://10.0.1.2:2380")
        var base = RestoreConfiguration(snapshotPath: "backup.db.zlib")
        base.bumpRevision = 1_000
        let configurations = plan.configurations(from: base)
        #expect(configurations.map(\.name) == ["m1", "m2"])
        #expect(configurations.map(\.dataDirectory) == ["/srv/m1", "/srv/m2"])
        #expect(configurations.map(\.walDirectory) == ["", "/fast/m2-wal"])
        #expect(configurations[1].initialAdvertisePeerURLs == "http://10.0.0.2:2380,http://10.0.1.2:2380")
        #expect(configurations.allSatisfy { $0.initialClusterToken == "restored-1" && $0.bumpRevision == 1_000 })
        #expect(configurations.allSatisfy { $0.snapshotPath == "backup.db.zlib" && $0.initialCluster == plan.initialCluster })
    }

    @Test(arguments: [
        ("members: []", "the cluster plan has no members"),
        ("members:\n  - name: a\n    data-dir: /a\n    peer-urls: http://a:2380\n  - name: a\n    data-dir: /b\n    peer-urls: http://b:2380", "names member a twice"),
        ("members:\n  - name: a\n    peer-urls: http://a:2380", "cannot read the cluster plan"),
        (": : :", "cannot read the cluster plan"),
    ])
    func badPlansAreRefused(yaml: String, message: String) {
        #expect {
            try RestorePlan(yaml: yaml)
        } throws: { error in
            guard let error = error as? OpsError else { return false }
            return error.kind == .usage && error.message.contains(message)
        }
    }
}
