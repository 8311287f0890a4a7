import Foundation
import ProcessTestSupport

/// Go etcd 3.4 (`/usr/bin/etcd`) as a one-member cluster with the given extra flags; its client URL is
/// `scheme://127.0.0.1:port`. Serving is judged from its log, since a TLS port cannot be probed in plaintext.
enum GoMember {
    static func start(scheme: String, arguments: [String]) async throws -> MemberProcess {
        let port = try FreePort.next()
        let url = "\(scheme)://127.0.0.1:\(port)"
        let member = try MemberProcess(
            arguments: ["--listen-client-urls", url, "--advertise-client-urls", url] + arguments,
            clientPort: port,
            executable: try Binaries.system("etcd")
        )
        let deadline = ContinuousClock.now + .seconds(20)
        while !member.log.contains("client requests on 127.0.0.1") {
            guard ContinuousClock.now < deadline, member.isRunning else {
                throw MemberProcess.MemberFailed(reason: "did not serve", log: member.log)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return member
    }
}
