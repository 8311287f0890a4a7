import Foundation

/// One `docker-compose` project of `compose/`, under a name of its own so that it meets no other: its
/// containers, network and volumes are removed (`down -v`) when the value is released, even after a failure.
final class ComposeProject: Sendable {
    let name: String
    private let files: [String]
    private let variables: [String: String]

    /// A project of the compose `files` (paths under `compose/`), with `variables` for the files' `${...}`.
    init(files: [String], variables: [String: String]) {
        self.name = "etcdtest\(UInt32.random(in: 0...UInt32.max))"
        let directory = PrometheusServer.repositoryRoot.appendingPathComponent("compose")
        self.files = files.map { directory.appendingPathComponent($0).path }
        self.variables = variables
    }

    deinit {
        DockerEngine.cleanUp(
            (try? Binaries.system("docker-compose").path) ?? "/usr/bin/docker-compose",
            self.arguments(["down", "--volumes", "--remove-orphans", "--timeout", "5"]),
            environment: DockerEngine.environment(self.variables)
        )
    }

    private func arguments(_ command: [String]) -> [String] {
        ["--project-name", self.name] + self.files.flatMap { ["--file", $0] } + command
    }

    /// `docker-compose <command>` in this project; throws with its output unless it exits 0.
    @discardableResult
    func run(_ command: [String], timeout: Duration = .seconds(300)) async throws -> String {
        let result = try await ProcessRunner.run(
            Binaries.system("docker-compose"), self.arguments(command), environment: DockerEngine.environment(self.variables), timeout: timeout
        )
        guard result.status == 0 else {
            throw DockerEngine.Failure(description: "docker-compose \(command.joined(separator: " ")) exited \(result.status): \(result.standardError)\(result.standardOutput)")
        }
        return result.standardOutput
    }

    /// `docker-compose exec -T <service> <command>`: status and output, without throwing on a non-zero status.
    func exec(_ service: String, _ command: [String]) async throws -> ProgramResult {
        try await ProcessRunner.run(
            Binaries.system("docker-compose"), self.arguments(["exec", "-T", service] + command),
            environment: DockerEngine.environment(self.variables), timeout: .seconds(60)
        )
    }

    /// The id of `service`'s container.
    func container(_ service: String) async throws -> String {
        try await self.run(["ps", "--quiet", service]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The health docker reports for `service` (`starting`, `healthy`, `unhealthy`), or `none` when it has
    /// no container.
    func health(_ service: String) async throws -> String {
        let container = try await self.container(service)
        guard !container.isEmpty else { return "none" }
        return try await DockerEngine.docker(["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", container])
    }

    /// Waits until every one of `services` is healthy; throws with their states and logs after `timeout`.
    func waitUntilHealthy(_ services: [String], timeout: Duration = .seconds(180)) async throws {
        let deadline = ContinuousClock.now + timeout
        var states: [String] = []
        while ContinuousClock.now < deadline {
            states = []
            for service in services { states.append("\(service): \(try await self.health(service))") }
            if states.allSatisfy({ $0.hasSuffix(": healthy") }) { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        let logs = try await self.run(["logs", "--tail", "20"] + services)
        throw DockerEngine.Failure(description: "not healthy after \(timeout): \(states); logs:\n\(logs)")
    }
}
