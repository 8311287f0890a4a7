import Auth

extension StateStores {
    /// What requests need on the key space, with the keys these stores attach to each lease.
    var requestPermissions: RequestPermissions {
        let leases = self.leases
        return RequestPermissions(leaseKeys: { leases.keys(of: $0) ?? [] })
    }
}
