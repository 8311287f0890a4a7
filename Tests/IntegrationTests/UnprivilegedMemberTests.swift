import Foundation
import Glibc
import Testing

/// Members run by an unprivileged user, as systemd's `User=etcd` and the image's user 10001 run them: a
/// three-member cluster forms, and every member takes clients' calls. (A socket option only root may set,
/// SO_DEBUG asked for by mistake instead of TCP_NODELAY, once made every connection of such a member fail.)
@Suite struct UnprivilegedMemberTests {
    @Test(.enabled(if: getuid() == 0, "changing to another user needs root"))
    func aClusterOfUnprivilegedMembersServes() async throws {
        let cluster = try TestCluster(size: 3)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: cluster.root)
        // setpriv itself is the executable: a script written for the purpose could fail to start with
        // ETXTBSY while a process spawned at the same moment by another test still held it open for writing.
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
        for seat in cluster.seats {
            let arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Binaries.etcd.path] + cluster.arguments(for: seat.name)
            try cluster.start(seat.name, arguments: arguments, executable: setpriv)
        }
        try await cluster.waitUntilServing()

        let put = try await Etcdctl.run([cluster.endpoints[0]], ["put", "unprivileged", "yes"])
        #expect(put.status == 0, "\(put.standardError)\n\(cluster.logs)")
        for endpoint in cluster.endpoints.dropFirst() {
            let get = try await Etcdctl.run([endpoint], ["get", "unprivileged", "--print-value-only"])
            #expect(get.standardOutput == "yes\n", "\(endpoint): \(get.standardError)")
        }
        let owner = try FileManager.default.attributesOfItem(atPath: cluster.seat("m1").dataDirectory)[.ownerAccountID] as? Int
        #expect(owner == 65534, "the member ran as nobody")
    }
}
