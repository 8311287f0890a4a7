import Telemetry

/// The answer to a health check: healthy, or not with etcd's reason text.
public struct HealthStatus: Sendable, Equatable {
    public var healthy: Bool
    /// Why the member is unhealthy (etcd's texts, e.g. `RAFT NO LEADER`, `ALARM NOSPACE`); empty when healthy.
    public var reason: String

    /// A status; `reason` should be empty exactly when `healthy` is true.
    public init(healthy: Bool, reason: String) {
        self.healthy = healthy
        self.reason = reason
    }

    /// A healthy member.
    public static let healthy = HealthStatus(healthy: true, reason: "")
}

/// What the health endpoint asks of the member.
public protocol HealthChecker: Sendable {
    /// Checks the member. Alarms named in `excludedAlarms` (e.g. `NOSPACE`) do not count; `serializable`
    /// skips the check that needs a quorum.
    func checkHealth(excludedAlarms: Set<String>, serializable: Bool) async -> HealthStatus
}

/// `GET /health`: `{"health":"true","reason":""}` with 200, or `"false"` and the reason with 503, as etcd;
/// the JSON goes out as `text/plain; charset=utf-8`, the type Go's server guesses for etcd's answer. Takes
/// etcd's `exclude` (repeatable) and `serializable` query parameters.
public enum HealthEndpoint {
    /// Registers the endpoint on `router`, answering from `checker` and counting answers in `metrics`
    /// (`etcd_server_health_success` / `_failures`).
    public static func register(on router: inout HTTPRouter, checker: any HealthChecker, metrics: ServerMetrics? = nil) {
        router.add("/health", methods: [.GET]) { request in
            let excluded = Set(request.queryValues("exclude"))
            let serializable = request.queryValues("serializable").last == "true"
            let status = await checker.checkHealth(excludedAlarms: excluded, serializable: serializable)
            (status.healthy ? metrics?.healthSuccess : metrics?.healthFailures)?.increment()
            let body = #"{"health":"\#(status.healthy)","reason":\#(JSONText.quoted(status.reason))}"#
            return HTTPResponse(status: status.healthy ? .ok : .serviceUnavailable, contentType: "text/plain; charset=utf-8", body: body)
        }
    }
}
