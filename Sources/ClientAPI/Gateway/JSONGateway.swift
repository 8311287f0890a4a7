import Auth
import NIOHTTP1

/// etcd's grpc-gateway on the client port: the v3 API as JSON over HTTP/1.1, `POST /v3/<service>/<method>`
/// with the request message as the body, answered by the same gRPC service methods the gRPC side calls.
///
/// Like etcd 3.4, it takes every path under `/v3/`, and `/v3beta/` paths as their `/v3/` twins. A path it
/// does not know gets `404 Not Found` and a method other than `POST` `405`, as Go's `http.Error` texts.
/// The `Authorization` header carries a client's token, as etcd's gateway forwards it.
public struct JSONGateway: HTTPResponder {
    private let routes: [String: GatewayRoute]

    /// A gateway serving `routes`, keyed by `/v3/` path.
    public init(routes: [String: GatewayRoute]) {
        self.routes = routes
    }

    /// Serves the gateway on `router`, answered by the same `services` as the gRPC side.
    public static func register(on router: inout HTTPRouter, services: ClientServices) {
        JSONGateway(routes: Self.routes(services)).register(on: &router)
    }

    /// Serves this gateway under `/v3/` and `/v3beta/` on `router`.
    public func register(on router: inout HTTPRouter) {
        router.addSubtree("/v3/") { request in await self.respond(to: request) }
        router.addSubtree("/v3beta/") { request in await self.respond(to: request) }
    }

    /// The answer to one request under the gateway's prefixes.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        var path = request.path
        if path.hasPrefix("/v3beta/") {
            path = "/v3/" + path.dropFirst("/v3beta/".count)
        }
        guard let route = self.routes[path] else {
            return .goError(.notFound, HTTPResponseStatus.notFound.reasonPhrase)
        }
        guard request.method == .POST else {
            return .goError(.methodNotAllowed, HTTPResponseStatus.methodNotAllowed.reasonPhrase)
        }
        let token = request.headers.first(name: "Authorization").map(GRPCConnectionHandler.bearerToken)
        return await CallerCredentials.$current.withValue(CallerCredentials(token: token, viaGateway: true)) {
            await route.respond(request.body)
        }
    }
}
