import Foundation
import Testing

/// contrib/systemd's units under a real systemd: a Debian container booting systemd as PID 1 on a network
/// this test makes, the image's program and the units installed as README.md says. `systemctl start etcd`
/// returns only once the member sent READY=1 (it answers at once, and systemd logged the notification before
/// it logged the unit started); the backup timer fires and leaves a backup etcd-ops accepts; `systemctl stop
/// etcd` ends it cleanly after STOPPING=1.
@Suite(.serialized, .timeLimit(.minutes(8))) struct SystemdUnitTests {
    /// The container and its network, removed when released.
    final class Machine: Sendable {
        let name = "etcdtest-systemd-\(UInt32.random(in: 0...UInt32.max))"

        init() async throws {
            try await DockerEngine.docker(["network", "create", self.name])
            try await DockerEngine.docker([
                "run", "--detach", "--name", self.name, "--hostname", "etcd-1", "--network", self.name,
                "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined", "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
                "--tmpfs", "/run", "--tmpfs", "/run/lock", DistributionImages.systemd,
            ])
        }

        deinit {
            let docker = (try? Binaries.system("docker").path) ?? "/usr/bin/docker"
            DockerEngine.cleanUp(docker, ["rm", "--force", "--volumes", self.name], environment: DockerEngine.environment())
            DockerEngine.cleanUp(docker, ["network", "rm", self.name], environment: DockerEngine.environment())
        }

        /// `sh -c script` inside the machine: status and output.
        func shell(_ script: String, timeout: Duration = .seconds(120)) async throws -> ProgramResult {
            try await ProcessRunner.run(
                Binaries.system("docker"), ["exec", self.name, "sh", "-c", script], environment: DockerEngine.environment(), timeout: timeout
            )
        }

        /// Like ``shell(_:timeout:)``, throwing with the output unless the script exits 0.
        @discardableResult
        func run(_ script: String, timeout: Duration = .seconds(120)) async throws -> String {
            let result = try await self.shell(script, timeout: timeout)
            guard result.status == 0 else {
                throw DockerEngine.Failure(description: "`\(script)` exited \(result.status): \(result.standardOutput)\(result.standardError)")
            }
            return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// A single member on the machine's loopback, in place of the sample's three-member addresses.
    static let configuration = """
        ETCD_NAME=etcd-1
        ETCD_DATA_DIR=/var/lib/etcd
        ETCD_LISTEN_PEER_URLS=http://127.0.0.1:2380
        ETCD_LISTEN_CLIENT_URLS=http://127.0.0.1:2379
        ETCD_ADVERTISE_CLIENT_URLS=http://127.0.0.1:2379
        ETCD_INITIAL_ADVERTISE_PEER_URLS=http://127.0.0.1:2380
        ETCD_INITIAL_CLUSTER=etcd-1=http://127.0.0.1:2380
        ETCD_LISTEN_METRICS_URLS=http://127.0.0.1:2381
        ETCDCTL_ENDPOINTS=http://127.0.0.1:2379

        """

    @Test func unitsUnderSystemd() async throws {
        try await DistributionImages.shared.require(DistributionImages.etcd)
        try await DistributionImages.shared.require(DistributionImages.systemd)
        let machine = try await Machine()
        let booted = ContinuousClock.now + .seconds(60)
        var state = ""
        while ContinuousClock.now < booted, !["running", "degraded"].contains(state) {
            try await Task.sleep(for: .milliseconds(500))
            state = (try await machine.shell("systemctl is-system-running")).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try #require(["running", "degraded"].contains(state), "systemd did not boot: \(state)")

        // README.md's install, with the program of the image and the units of this checkout.
        let root = PrometheusServer.repositoryRoot
        try await DockerEngine.docker(["cp", root.appendingPathComponent(".build/image/etcd").path, "\(machine.name):/tmp/etcd"])
        try await DockerEngine.docker(["cp", root.appendingPathComponent("contrib/systemd").path, "\(machine.name):/tmp/units"])
        try await machine.run("""
            set -e
            install -m 755 /tmp/etcd /usr/local/bin/etcd
            ln -sf etcd /usr/local/bin/etcdctl && ln -sf etcd /usr/local/bin/etcd-ops
            useradd --system --home /var/lib/etcd --shell /usr/sbin/nologin etcd
            install -d -o etcd -g etcd -m 700 /var/lib/etcd
            install -d -o etcd -g etcd /var/backups/etcd /var/lib/prometheus/node-exporter
            install -m 644 /tmp/units/etcd.default /etc/default/etcd
            install -m 644 /tmp/units/etcd.service /tmp/units/etcd-backup.service /tmp/units/etcd-backup.timer /etc/systemd/system/
            systemctl daemon-reload
            """)
        try await machine.run("cat > /etc/default/etcd <<'EOF'\n\(Self.configuration)EOF")
        // systemd logs each notification it receives at debug level.
        try await machine.run("systemd-analyze set-log-level debug")

        let started = try await machine.shell("systemctl start etcd", timeout: .seconds(320))
        #expect(started.status == 0, "systemctl start etcd: \(started.standardError)")
        let active = Set(try await machine.run("systemctl show etcd --property=ActiveState,SubState").split(separator: "\n"))
        #expect(active == ["ActiveState=active", "SubState=running"], "\(active)")
        let put = try await machine.shell("etcdctl put unit-key started")
        #expect(put.status == 0, "a write as soon as systemctl start returned: \(put.standardError)")
        let journal = try await machine.run("journalctl --unit etcd --output cat --no-pager")
        let lines = journal.split(separator: "\n").map(String.init)
        let ready = lines.firstIndex { $0.contains("ready to serve client requests") }
        let notified = lines.firstIndex { $0.contains("Got notification message") && $0.contains("READY=1") }
        let unitStarted = lines.firstIndex { $0.hasPrefix("Started etcd") }
        #expect(ready != nil && notified != nil && unitStarted != nil, "journal:\n\(journal)")
        if let ready, let notified, let unitStarted {
            #expect(ready < notified && notified < unitStarted, "the member's log, then READY=1, then started:\n\(journal)")
        }

        // The timer, made to fire now instead of hourly, runs the backup service once. AccuracySec: systemd may
        // otherwise put a timer off by up to a minute, to wake once for several (in one CI run the backup came
        // only as the 60 s wait below ended).
        try await machine.run("""
            set -e
            mkdir -p /etc/systemd/system/etcd-backup.timer.d
            printf '[Timer]\\nOnCalendar=\\nOnActiveSec=2s\\nRandomizedDelaySec=0\\nAccuracySec=1s\\n' > /etc/systemd/system/etcd-backup.timer.d/now.conf
            systemctl daemon-reload
            systemctl enable --now etcd-backup.timer
            """)
        let deadline = ContinuousClock.now + .seconds(60)
        var backups = ""
        while ContinuousClock.now < deadline {
            backups = try await machine.run("ls /var/backups/etcd | grep -v -e '\\.json$' -e '\\.lock$' -e '\\.part$' || true")
            if !backups.isEmpty { break }
            try await Task.sleep(for: .seconds(1))
        }
        let backupJournal = try await machine.run("journalctl --unit etcd-backup --output cat --no-pager")
        let backup = try #require(backups.split(separator: "\n").first, "the timer left no backup: \(backupJournal)")
        let verified = try await machine.shell("etcd-ops verify /var/backups/etcd/\(backup)")
        #expect(verified.status == 0, "etcd-ops verify: \(verified.standardOutput) \(verified.standardError)")
        let result = try await machine.run("systemctl show etcd-backup.service --property=Result")
        #expect(result == "Result=success", "\(result)")
        let metrics = try await machine.shell("cat /var/lib/prometheus/node-exporter/etcd_backup.prom")
        #expect(metrics.standardOutput.contains("etcd_ops_backup_last_success_timestamp_seconds"), "\(metrics.standardOutput)")

        let stopped = try await machine.shell("systemctl stop etcd", timeout: .seconds(60))
        #expect(stopped.status == 0, "systemctl stop etcd: \(stopped.standardError)")
        let after = Set(try await machine.run("systemctl show etcd --property=ActiveState,Result,ExecMainStatus").split(separator: "\n"))
        #expect(after == ["ActiveState=inactive", "Result=success", "ExecMainStatus=0"], "\(after)")
        let stopJournal = try await machine.run("journalctl --unit etcd --output cat --no-pager")
        #expect(stopJournal.contains("STOPPING=1"), "systemd received STOPPING=1:\n\(stopJournal)")
        #expect(stopJournal.contains("member stopped"), "the member logged its clean stop:\n\(stopJournal)")
    }
}
