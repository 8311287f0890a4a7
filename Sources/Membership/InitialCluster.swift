/// The `--initial-cluster` value: member names with their peer URLs, as
/// `infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380` (a name may repeat to give several URLs).
public struct InitialCluster: Sendable, Equatable {
    /// Names in order of first appearance, each with its URL texts in order given.
    public var members: [(name: String, peerURLs: [String])]

    /// Splits the flag's text the way etcd does: entries separated by commas, name and URL by the first
    /// `=`, empty entries ignored. The URLs are checked by the caller.
    public init(parsing text: String) {
        var members: [(name: String, peerURLs: [String])] = []
        var positions: [String: Int] = [:]
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let name: String
            let url: String
            if let equals = entry.firstIndex(of: "=") {
                name = String(entry[..<equals])
                url = String(entry[entry.index(after: equals)...])
            } else {
                name = String(entry)
                url = ""
            }
            if let position = positions[name] {
                members[position].peerURLs.append(url)
            } else {
                positions[name] = members.count
                members.append((name, [url]))
            }
        }
        self.members = members
    }

    /// The peer URLs given for `name`, if it is listed.
    public func peerURLs(of name: String) -> [String]? {
        self.members.first { $0.name == name }?.peerURLs
    }

    /// Every URL of every member, sorted.
    public var allPeerURLs: [String] {
        self.members.flatMap(\.peerURLs).sorted()
    }

    public static func == (lhs: InitialCluster, rhs: InitialCluster) -> Bool {
        lhs.members.map(\.name) == rhs.members.map(\.name) && lhs.members.map(\.peerURLs) == rhs.members.map(\.peerURLs)
    }

    /// etcd's text of the map: `name=url` pairs sorted, joined by commas.
    public var description: String {
        self.members.flatMap { member in member.peerURLs.map { "\(member.name)=\($0)" } }.sorted().joined(separator: ",")
    }
}
