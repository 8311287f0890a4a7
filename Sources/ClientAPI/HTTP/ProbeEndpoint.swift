import Telemetry

/// One named check of `/livez` or `/readyz`: nil when it passes, else why it failed.
public struct ProbeCheck: Sendable {
    public var name: String
    public var run: @Sendable () async -> String?

    /// A check called `name` (e.g. `serializable_read`).
    public init(name: String, run: @escaping @Sendable () async -> String?) {
        self.name = name
        self.run = run
    }
}

/// `/livez` and `/readyz` as etcd 3.5.11+ serves them (Kubernetes-style probes): `GET` runs every check
/// not named by an `exclude` parameter and answers `ok` (with `[+]name ok` lines first under `verbose`),
/// or 503 with a `[+]`/`[-]name failed: reason` line per check. `/<probe>/<check>` runs one check.
public enum ProbeEndpoint {
    /// Registers `/<probe>` and one path per check on `router`, recording results in `metrics`.
    public static func register(on router: inout HTTPRouter, probe: String, checks: [ProbeCheck], metrics: ServerMetrics?) {
        router.add("/\(probe)", methods: [.GET]) { request in
            let excluded = Set(request.queryValues("exclude").filter { !$0.isEmpty })
            let selected = checks.filter { !excluded.contains($0.name) }
            return await Self.answer(request, probe: probe, checks: selected, metrics: metrics)
        }
        for check in checks {
            router.add("/\(probe)/\(check.name)", methods: [.GET]) { request in
                await Self.answer(request, probe: probe, checks: [check], metrics: metrics)
            }
        }
    }

    private static func answer(_ request: HTTPRequest, probe: String, checks: [ProbeCheck], metrics: ServerMetrics?) async -> HTTPResponse {
        var report = ""
        var failed = false
        for check in checks {
            let failure = await check.run()
            metrics?.recordHealthCheck(type: probe, name: check.name, passed: failure == nil)
            if let failure {
                failed = true
                report += "[-]\(check.name) failed: \(failure)\n"
            } else {
                report += "[+]\(check.name) ok\n"
            }
        }
        var response: HTTPResponse
        if failed {
            response = HTTPResponse(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8", body: report + "\n")
        } else {
            let verbose = request.query.contains { $0.name == "verbose" }
            response = HTTPResponse(status: .ok, contentType: "text/plain; charset=utf-8", body: (verbose ? report : "") + "ok\n")
        }
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}
