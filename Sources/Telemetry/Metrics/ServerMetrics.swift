import Prometheus

/// The `etcd_server_*` metrics (and etcd's `os_fd_*`), with etcd's names, help texts and types.
/// Several of etcd's `_total` names are gauges; they stay gauges here so the `# TYPE` lines match.
public struct ServerMetrics: Sendable {
    public let hasLeader: Gauge
    public let isLeader: Gauge
    public let isLearner: Gauge
    private let leaderChangesSeen: Counter
    public let proposalsCommitted: Gauge
    public let proposalsApplied: Gauge
    public let proposalsPending: Gauge
    public let proposalsFailed: Counter
    public let readIndexesFailed: Counter
    public let heartbeatSendFailures: Counter
    public let learnerPromoteSuccesses: Counter
    public let authRevision: Gauge
    public let leaseExpired: Counter
    public let quotaBackendBytes: Gauge
    public let snapshotApplyInProgress: Gauge
    public let healthSuccess: Counter
    public let healthFailures: Counter
    public let fileDescriptorsUsed: Gauge
    public let fileDescriptorsLimit: Gauge
    private let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.hasLeader = registry.gauge(
            name: "etcd_server_has_leader",
            help: "Whether or not a leader exists. 1 is existence, 0 is not."
        )
        self.isLeader = registry.gauge(
            name: "etcd_server_is_leader",
            help: "Whether or not this member is a leader. 1 if is, 0 otherwise."
        )
        self.isLearner = registry.gauge(
            name: "etcd_server_is_learner",
            help: "Whether or not this member is a learner. 1 if is, 0 otherwise."
        )
        self.leaderChangesSeen = registry.counter(
            name: "etcd_server_leader_changes_seen_total",
            help: "The number of leader changes seen."
        )
        self.proposalsCommitted = registry.gauge(
            name: "etcd_server_proposals_committed_total",
            help: "The total number of consensus proposals committed."
        )
        self.proposalsApplied = registry.gauge(
            name: "etcd_server_proposals_applied_total",
            help: "The total number of consensus proposals applied."
        )
        self.proposalsPending = registry.gauge(
            name: "etcd_server_proposals_pending",
            help: "The current number of pending proposals to commit."
        )
        self.proposalsFailed = registry.counter(
            name: "etcd_server_proposals_failed_total",
            help: "The total number of failed proposals seen."
        )
        self.readIndexesFailed = registry.counter(
            name: "etcd_server_read_indexes_failed_total",
            help: "The total number of failed read indexes seen."
        )
        self.heartbeatSendFailures = registry.counter(
            name: "etcd_server_heartbeat_send_failures_total",
            help: "The total number of leader heartbeat send failures (likely overloaded from slow disk)."
        )
        self.learnerPromoteSuccesses = registry.counter(
            name: "etcd_server_learner_promote_successes",
            help: "The total number of successful learner promotions while this member is leader."
        )
        self.authRevision = registry.gauge(
            name: "etcd_debugging_auth_revision",
            help: "The current revision of auth store."
        )
        self.leaseExpired = registry.counter(
            name: "etcd_debugging_server_lease_expired_total",
            help: "The total number of expired leases."
        )
        self.quotaBackendBytes = registry.gauge(
            name: "etcd_server_quota_backend_bytes",
            help: "Current backend storage quota size in bytes."
        )
        self.snapshotApplyInProgress = registry.gauge(
            name: "etcd_server_snapshot_apply_in_progress_total",
            help: "1 if the server is applying the incoming snapshot. 0 if none."
        )
        self.healthSuccess = registry.counter(
            name: "etcd_server_health_success",
            help: "The total number of successful health checks"
        )
        self.healthFailures = registry.counter(
            name: "etcd_server_health_failures",
            help: "The total number of failed health checks"
        )
        self.fileDescriptorsUsed = registry.gauge(name: "os_fd_used", help: "The number of used file descriptors.")
        self.fileDescriptorsLimit = registry.gauge(name: "os_fd_limit", help: "The file descriptor limit.")
    }

    /// Sets the identity gauges etcd sets once at start, `etcd_server_id` and `etcd_server_version`: each is
    /// 1, with the value in its label.
    public func setIdentity(memberID: UInt64, serverVersion: String) {
        self.registry.gauge(
            name: "etcd_server_id",
            labels: [("server_id", String(memberID, radix: 16))],
            help: "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID."
        ).set(to: 1)
        self.registry.gauge(
            name: "etcd_server_version",
            labels: [("server_version", serverVersion)],
            help: "Which version is running. 1 for 'server_version' label with current version."
        ).set(to: 1)
    }

    /// Sets `etcd_server_leader_changes_seen_total` to the member's own count of leader changes (only a
    /// scrape's sampler calls this).
    public func setLeaderChangesSeen(_ changes: UInt64) {
        self.leaderChangesSeen.setTotal(Double(changes))
    }

    /// Records one run of a `/livez` or `/readyz` check: `etcd_server_healthcheck{type,name}` becomes 1 or 0
    /// and `etcd_server_healthchecks_total{type,name,status}` counts it as `success` or `error`.
    public func recordHealthCheck(type: String, name: String, passed: Bool) {
        self.registry.gauge(
            name: "etcd_server_healthcheck",
            labels: [("name", name), ("type", type)],
            help: "The result of each kind of healthcheck."
        ).set(to: passed ? 1 : 0)
        self.registry.counter(
            name: "etcd_server_healthchecks_total",
            labels: [("name", name), ("status", passed ? "success" : "error"), ("type", type)],
            help: "The total number of each kind of healthcheck."
        ).increment()
    }

    /// Counts a learner promotion that failed because of `reason` (etcd's error text) in
    /// `etcd_server_learner_promote_failures{Reason}`.
    public func recordLearnerPromoteFailure(reason: String) {
        self.registry.counter(
            name: "etcd_server_learner_promote_failures",
            labels: [("Reason", reason)],
            help: "The total number of failed learner promotions (likely learner not ready) while this member is leader."
        ).increment()
    }

    /// Sets `etcd_cluster_version{cluster_version}` to 1 for `version` (etcd's `major.minor`).
    public func setClusterVersion(_ version: String) {
        self.registry.gauge(
            name: "etcd_cluster_version",
            labels: [("cluster_version", version)],
            help: "Which version is running. 1 for 'cluster_version' label with current cluster version"
        ).set(to: 1)
    }
}
