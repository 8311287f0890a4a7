import ClientAPI
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

@Suite struct HTTPRouterTests {
    @Test func queryParametersAreSplitAndDecoded() {
        let request = HTTPRequest(method: .GET, uri: "/health?exclude=NOSPACE&exclude=CORRUPT&serializable=true&flag&x=a%20b+c")
        #expect(request.path == "/health")
        #expect(request.queryValues("exclude") == ["NOSPACE", "CORRUPT"])
        #expect(request.queryValues("serializable") == ["true"])
        #expect(request.queryValues("flag") == [""])
        #expect(request.queryValues("x") == ["a b c"])
        #expect(request.queryValues("missing").isEmpty)
    }

    @Test func unknownPathsGetGosNotFound() async {
        let router = HTTPRouter()
        let response = await router.respond(to: HTTPRequest(method: .GET, uri: "/nope"))
        #expect(response.status == .notFound)
        #expect(String(buffer: response.body) == "404 page not found\n")
        #expect(response.headers["Content-Type"] == ["text/plain; charset=utf-8"])
    }

    @Test func subtreesTakeWhatNoExactRouteTakesLongestPrefixFirst() async {
        var router = HTTPRouter()
        VersionEndpoint.register(on: &router)
        router.addSubtree("/v3/") { request in .json(.ok, "v3 \(request.method.rawValue) \(request.path)") }
        router.addSubtree("/v3/kv/") { request in .json(.ok, "kv \(request.path)") }
        router.add("/v3/exact", methods: [.GET]) { _ in .json(.ok, "exact") }

        let answers = [
            await router.respond(to: HTTPRequest(method: .PUT, uri: "/v3/lease/grant")),
            await router.respond(to: HTTPRequest(method: .POST, uri: "/v3/kv/range")),
            await router.respond(to: HTTPRequest(method: .GET, uri: "/v3/exact")),
            await router.respond(to: HTTPRequest(method: .GET, uri: "/v3")),
        ].map { String(buffer: $0.body) }
        #expect(answers == ["v3 PUT /v3/lease/grant", "kv /v3/kv/range", "exact", "404 page not found\n"])
    }

    @Test func aKnownPathWithTheWrongMethodGets405WithAllow() async {
        var router = HTTPRouter()
        VersionEndpoint.register(on: &router)
        let response = await router.respond(to: HTTPRequest(method: .POST, uri: "/version"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == ["GET"])
    }

    @Test func versionReportsServerAndClusterVersions() async {
        var router = HTTPRouter()
        VersionEndpoint.register(on: &router)
        let response = await router.respond(to: HTTPRequest(method: .GET, uri: "/version"))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == ["application/json"])
        let body = String(buffer: response.body)
        #expect(body.hasPrefix(#"{"etcdserver":"3.5."#))
        #expect(body.hasSuffix(#","etcdcluster":"3.5.0"}"#))
    }

    private struct FixedHealth: HealthChecker {
        let status: HealthStatus
        let seen: NIOLockedValueBox<[(Set<String>, Bool)]>
        func checkHealth(excludedAlarms: Set<String>, serializable: Bool) async -> HealthStatus {
            self.seen.withLockedValue { $0.append((excludedAlarms, serializable)) }
            return self.status
        }
    }

    @Test func healthyMemberAnswers200() async {
        var router = HTTPRouter()
        let seen = NIOLockedValueBox<[(Set<String>, Bool)]>([])
        HealthEndpoint.register(on: &router, checker: FixedHealth(status: .healthy, seen: seen))
        let response = await router.respond(to: HTTPRequest(method: .GET, uri: "/health"))
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == #"{"health":"true","reason":""}"#)
        #expect(seen.withLockedValue { $0.map(\.1) } == [false])
    }

    @Test func unhealthyMemberAnswers503WithTheReasonAndPassesTheQuery() async {
        var router = HTTPRouter()
        let seen = NIOLockedValueBox<[(Set<String>, Bool)]>([])
        let status = HealthStatus(healthy: false, reason: "ALARM \"NOSPACE\"")
        HealthEndpoint.register(on: &router, checker: FixedHealth(status: status, seen: seen))
        let response = await router.respond(
            to: HTTPRequest(method: .GET, uri: "/health?exclude=CORRUPT&serializable=true")
        )
        #expect(response.status == .serviceUnavailable)
        #expect(String(buffer: response.body) == #"{"health":"false","reason":"ALARM \"NOSPACE\""}"#)
        #expect(seen.withLockedValue { $0.first?.0 } == ["CORRUPT"])
        #expect(seen.withLockedValue { $0.first?.1 } == true)
    }
}
