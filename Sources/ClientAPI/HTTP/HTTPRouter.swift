import NIOHTTP1

/// Routes HTTP/1.1 requests by exact path, like Go's `http.ServeMux` in etcd: an unknown path gets Go's
/// `404 page not found`, a known path with a method it does not take gets `405` with `Allow`.
public struct HTTPRouter: HTTPResponder {
    /// Answers one request on a route.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private struct Route: Sendable {
        var methods: [HTTPMethod]
        var handler: Handler
    }

    private var routes: [String: Route] = [:]

    /// Creates a router with no routes.
    public init() {}

    /// Serves `path` for `methods` with `handler`, replacing any earlier route for the path.
    public mutating func add(_ path: String, methods: [HTTPMethod], handler: @escaping Handler) {
        self.routes[path] = Route(methods: methods, handler: handler)
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        guard let route = self.routes[request.path] else {
            return .notFound
        }
        guard route.methods.contains(request.method) else {
            return .methodNotAllowed(allowed: route.methods)
        }
        return await route.handler(request)
    }
}
