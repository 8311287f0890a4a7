extension InitialCluster {
    /// etcd's bootstrap checks of `--initial-cluster` for the member `name` advertising `advertised` peer
    /// URLs: every URL well formed, no URL twice, the name listed, and (unless the member joins an
    /// existing cluster, `checkAdvertised` false) listed with exactly the advertised URLs.
    public func verify(name: String, advertised: [String], checkAdvertised: Bool = true) throws(ConfigurationError) {
        for entry in self.members {
            for url in entry.peerURLs {
                do {
                    _ = try EtcdURL(parsing: url)
                } catch {
                    throw ConfigurationError("invalid value \"\(self.description)\" for flag -initial-cluster: \(error.message)")
                }
            }
        }
        let all = self.allPeerURLs
        if Set(all).count != all.count {
            throw ConfigurationError("initial cluster \(self.description) has duplicate url")
        }
        guard let local = self.peerURLs(of: name) else {
            throw ConfigurationError("couldn't find local name \"\(name)\" in the initial cluster configuration")
        }
        let advertised = advertised.sorted()
        guard !checkAdvertised || local.sorted() == advertised else {
            let missing = local.filter { !advertised.contains($0) }.map { "\(name)=\($0)" }.joined(separator: ",")
            throw ConfigurationError(
                "--initial-cluster has \(missing.isEmpty ? name + "=" + local.joined(separator: ",") : missing) "
                    + "but missing from --initial-advertise-peer-urls=\(advertised.joined(separator: ","))"
            )
        }
    }
}
