import Foundation
import ProcessTestSupport
import Testing

/// compose/docker-compose.yml on a real Docker engine: the image this checkout builds, three members, the
/// backup service and Prometheus (Debian's, through compose/local/images.yml, which only swaps images).
/// Grafana cannot be installed here, so every dashboard query goes to that Prometheus as Grafana would send
/// it. Then one member stopped and started again, and the whole project taken down and up again.
@Suite(.serialized, .timeLimit(.minutes(12))) struct ComposeClusterTests {
    static let members = ["etcd-1", "etcd-2", "etcd-3"]

    /// A project of compose/docker-compose.yml with Debian's Prometheus, `overrides` (paths under compose/)
    /// and `variables` on top, the images built, the members and Prometheus published on free loopback ports
    /// (`ports`: the three members', then Prometheus'), and backups every minute.
    static func project(overrides: [String] = [], variables: [String: String] = [:]) async throws -> (ComposeProject, ports: [Int]) {
        try await DistributionImages.shared.require(DistributionImages.etcd)
        try await DistributionImages.shared.require(DistributionImages.prometheus)
        let ports = try (0..<4).map { _ in try FreePort.next() }
        let published = [
            "ETCD_IMAGE": DistributionImages.etcd, "ETCD_1_PORT": "\(ports[0])", "ETCD_2_PORT": "\(ports[1])",
            "ETCD_3_PORT": "\(ports[2])", "PROMETHEUS_PORT": "\(ports[3])", "BACKUP_SCHEDULE": "* * * * *",
        ]
        let project = ComposeProject(
            files: ["docker-compose.yml", "local/images.yml"] + overrides,
            variables: published.merging(variables) { _, given in given }
        )
        return (project, ports)
    }

    /// ``project(overrides:variables:)`` with `services` up. A published port that another process on this
    /// machine took between its choice and docker's bind gets the project taken down and made again on other
    /// ports, up to three times.
    static func startedProject(
        overrides: [String] = [], variables: [String: String] = [:], services: [String]
    ) async throws -> (ComposeProject, ports: [Int]) {
        var attempt = 1
        while true {
            let (project, ports) = try await Self.project(overrides: overrides, variables: variables)
            do {
                try await project.run(["up", "--detach"] + services)
                return (project, ports)
            } catch let failure as DockerEngine.Failure where attempt < 3 && failure.description.contains("address already in use") {
                print("compose up: a published port of \(ports) was taken; again on other ports")
                attempt += 1
            }
        }
    }

    @Test func threeMembersWithPrometheusAndBackupsUnderCompose() async throws {
        // The images first, so the time below is compose's alone.
        try await DistributionImages.shared.require(DistributionImages.etcd)
        try await DistributionImages.shared.require(DistributionImages.prometheus)
        let started = ContinuousClock.now
        let (project, ports) = try await Self.startedProject(services: Self.members)
        let endpoints = ports.prefix(3).map { "127.0.0.1:\($0)" }
        try await project.waitUntilHealthy(Self.members)
        let healthyAfter = ContinuousClock.now - started
        print("compose up to three healthy members: \(healthyAfter)")
        try await project.run(["up", "--detach", "prometheus", "backup"])

        // Written through one member (Go etcdctl on the published port), read through the others inside their
        // containers with the image's etcdctl.
        let put = try await Etcdctl.run([endpoints[0]], ["put", "compose-key", "one"])
        #expect(put.status == 0, "\(put.standardError)")
        for member in ["etcd-2", "etcd-3"] {
            let read = try await project.exec(member, ["etcdctl", "get", "compose-key", "--print-value-only"])
            #expect(read.standardOutput == "one\n", "\(member): \(read.standardOutput) \(read.standardError)")
        }

        let prometheus = PrometheusAPI(port: ports[3])
        try await Self.waitForTargets(prometheus, count: 4)
        let backup = try await Self.waitForBackup(project)
        let verified = try await project.exec("backup", ["etcd-ops", "verify", backup])
        #expect(verified.status == 0, "etcd-ops verify \(backup): \(verified.standardOutput) \(verified.standardError)")
        // The rates need two scrapes 15 s apart, and the backup metrics one scrape after the backup.
        try await Task.sleep(for: .seconds(20))
        let unanswered = try await DashboardQueries.unanswered(by: prometheus)
        #expect(unanswered.isEmpty, "dashboard queries without data: \(unanswered)")

        // One member stopped: the other two still take writes; started again, it catches up.
        try await project.run(["stop", "etcd-2"])
        let whileStopped = try await Etcdctl.run([endpoints[0], endpoints[2]], ["put", "while-stopped", "two"], timeout: "15s")
        #expect(whileStopped.status == 0, "a write with etcd-2 stopped: \(whileStopped.standardError)")
        try await project.run(["start", "etcd-2"])
        try await project.waitUntilHealthy(["etcd-2"])
        #expect(try await Self.read(project, "etcd-2", "while-stopped", serializable: true) == "two", "etcd-2 caught up")

        // Down and up again: the named volumes keep the data.
        try await project.run(["down", "--timeout", "30"])
        try await project.run(["up", "--detach"] + Self.members)
        try await project.waitUntilHealthy(Self.members)
        #expect(try await Self.read(project, "etcd-3", "compose-key") == "one")
        #expect(try await Self.read(project, "etcd-1", "while-stopped") == "two")
    }

    /// `key`'s value as `member`'s etcdctl reads it, retried for 30 s (a member that has just started may not
    /// have caught up or found its leader yet).
    private static func read(_ project: ComposeProject, _ member: String, _ key: String, serializable: Bool = false) async throws -> String {
        let consistency = serializable ? ["--consistency=s"] : []
        let deadline = ContinuousClock.now + .seconds(30)
        var last = ""
        while ContinuousClock.now < deadline {
            let read = try await project.exec(member, ["etcdctl", "get", key, "--print-value-only"] + consistency)
            last = read.standardOutput + read.standardError
            if read.status == 0, !read.standardOutput.isEmpty { return read.standardOutput.trimmingCharacters(in: .newlines) }
            try await Task.sleep(for: .milliseconds(500))
        }
        return "nothing: \(last)"
    }

    /// Waits until Prometheus has `count` targets, all up.
    static func waitForTargets(_ prometheus: PrometheusAPI, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        var last = ""
        while ContinuousClock.now < deadline {
            do {
                let targets = try await prometheus.targets()
                last = "\(targets)"
                if targets.count == count, targets.allSatisfy({ $0.health == "up" }) { return }
            } catch {
                last = "\(error)"  // Prometheus answers 503 while it starts.
            }
            try await Task.sleep(for: .seconds(1))
        }
        throw DockerEngine.Failure(description: "Prometheus' targets not all up: \(last)")
    }

    /// The path of the first backup the backup service reports in its log (it runs each minute here).
    static func waitForBackup(_ project: ComposeProject) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(150)
        var logs = ""
        while ContinuousClock.now < deadline {
            logs = try await project.run(["logs", "--no-color", "backup"])
            if let saved = logs.firstMatch(of: /Backup saved at (\S+)/) { return String(saved.1) }
            try await Task.sleep(for: .seconds(2))
        }
        throw DockerEngine.Failure(description: "the backup service saved no backup: \(logs)")
    }
}
