import Foundation

/// Debian's Go `etcdctl` (API v3), run to completion against the given endpoints.
enum Etcdctl {
    /// Runs `etcdctl --endpoints=... --command-timeout=<timeout> arguments...`.
    static func run(_ endpoints: [String], _ arguments: [String], timeout: String = "5s") async throws -> ProgramResult {
        try await ProcessRunner.run(
            try Binaries.system("etcdctl"),
            ["--endpoints=\(endpoints.joined(separator: ","))", "--command-timeout=\(timeout)"] + arguments,
            environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        )
    }
}
