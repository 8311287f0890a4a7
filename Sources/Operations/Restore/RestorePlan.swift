import Foundation
import Restore
import Yams

/// The members of a new cluster to restore in one call, from a YAML file (`etcd-ops restore --cluster-from`):
///
///     initial-cluster-token: restored-1
///     members:
///       - name: m1
///         data-dir: /srv/m1
///         peer-urls: http://10.0.0.1:2380
///       - name: m2
///         data-dir: /srv/m2
///         peer-urls: http://10.0.0.2:2380
///         wal-dir: /fast/m2-wal          # optional
///
/// The initial cluster is every member's name and peer URLs; the token defaults to etcdutl's `etcd-cluster`.
public struct RestorePlan: Sendable, Decodable, Equatable {
    /// One member's part of the plan.
    public struct Member: Sendable, Decodable, Equatable {
        public var name: String
        public var dataDir: String
        /// Comma-separated peer URLs.
        public var peerURLs: String
        public var walDir: String?

        enum CodingKeys: String, CodingKey {
            case name
            case dataDir = "data-dir"
            case peerURLs = "peer-urls"
            case walDir = "wal-dir"
        }
    }

    public var initialClusterToken: String?
    public var members: [Member]

    enum CodingKeys: String, CodingKey {
        case initialClusterToken = "initial-cluster-token"
        case members
    }

    /// The plan in the YAML `text`; a plan without members, with a member twice or with a field missing is
    /// refused with a usage error naming it.
    public init(yaml text: String) throws(OpsError) {
        do {
            self = try YAMLDecoder().decode(RestorePlan.self, from: text)
        } catch {
            throw OpsError(.usage, "cannot read the cluster plan: \(error)")
        }
        guard !self.members.isEmpty else { throw OpsError(.usage, "the cluster plan has no members") }
        let names = self.members.map(\.name)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw OpsError(.usage, "the cluster plan names member \(twice) twice")
        }
    }

    /// `--initial-cluster`: every member's name and peer URLs.
    public var initialCluster: String {
        self.members.flatMap { member in member.peerURLs.split(separator: ",").map { "\(member.name)=\($0)" } }.joined(separator: ",")
    }

    /// One restore configuration per member, from `base` (the snapshot and the shared flags).
    public func configurations(from base: RestoreConfiguration) -> [RestoreConfiguration] {
        self.members.map { member in
            var configuration = base
            configuration.name = member.name
            configuration.dataDirectory = member.dataDir
            configuration.walDirectory = member.walDir ?? ""
            configuration.initialAdvertisePeerURLs = member.peerURLs
            configuration.initialCluster = self.initialCluster
            configuration.initialClusterToken = self.initialClusterToken ?? base.initialClusterToken
            return configuration
        }
    }
}
