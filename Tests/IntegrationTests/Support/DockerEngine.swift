import Foundation
import ProcessTestSupport

/// The Docker engine the distribution tests drive through the `docker` and `docker-compose` programs
/// (Debian's `docker.io` and `docker-compose`, which scripts/setup.sh installs and scripts/start-docker.sh
/// starts). A missing program or an engine that does not answer fails the test that needs it, with why.
enum DockerEngine {
    /// What a docker command said when it failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The environment docker commands run with: this process's PATH and HOME, and `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        let own = ProcessInfo.processInfo.environment
        var environment = ["PATH": own["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": own["HOME"] ?? "/root"]
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// `docker <arguments>`; throws with its output unless it exits 0.
    @discardableResult
    static func docker(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> String {
        let result = try await ProcessRunner.run(Binaries.system("docker"), arguments, environment: Self.environment(), timeout: timeout)
        guard result.status == 0 else {
            throw Failure(description: "docker \(arguments.joined(separator: " ")) exited \(result.status): \(result.standardError)\(result.standardOutput)")
        }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Throws, saying how to start it, unless the engine answers.
    static func requireEngine() async throws {
        let result = try await ProcessRunner.run(
            Binaries.system("docker"), ["info", "--format", "{{.ServerVersion}}"], environment: Self.environment(), timeout: .seconds(30)
        )
        guard result.status == 0 else {
            throw Failure(description: "the Docker engine does not answer (\(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))); run scripts/start-docker.sh as root")
        }
    }

    /// Runs `arguments` with `docker`, ignoring the outcome, without waiting on Swift concurrency: for cleanup
    /// in deinitializers.
    static func cleanUp(_ executable: String, _ arguments: [String], environment: [String: String]) {
        _ = try? SpawnedProgram.run(executable, arguments, environment: environment, input: Data(), timeout: .seconds(180))
    }
}
