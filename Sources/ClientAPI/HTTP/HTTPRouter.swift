import NIOHTTP1

/// Routes HTTP/1.1 requests like Go's `http.ServeMux` in etcd: an exact path first, else the longest subtree
/// (a prefix ending in `/`) containing the path; nothing else gets Go's `404 page not found`. A known exact
/// path with a method it does not take gets `405` with `Allow`; a subtree's handler takes every method.
public struct HTTPRouter: HTTPResponder {
    /// Answers one request on a route.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private struct Route: Sendable {
        var methods: [HTTPMethod]
        var handler: Handler
    }

    private var routes: [String: Route] = [:]
    private var subtrees: [(prefix: String, handler: Handler)] = []

    /// Creates a router with no routes.
    public init() {}

    /// Serves `path` for `methods` with `handler`, replacing any earlier route for the path.
    public mutating func add(_ path: String, methods: [HTTPMethod], handler: @escaping Handler) {
        self.routes[path] = Route(methods: methods, handler: handler)
    }

    /// Serves every path starting with `prefix` (which ends in `/`) that no exact route serves, for every
    /// method, with `handler`; replaces any earlier handler for the same prefix.
    public mutating func addSubtree(_ prefix: String, handler: @escaping Handler) {
        precondition(prefix.hasSuffix("/"), "a subtree prefix ends in a slash")
        self.subtrees.removeAll { $0.prefix == prefix }
        self.subtrees.append((prefix, handler))
        self.subtrees.sort { $0.prefix.count > $1.prefix.count }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        guard let route = self.routes[request.path] else {
            if let subtree = self.subtrees.first(where: { request.path.hasPrefix($0.prefix) }) {
                return await subtree.handler(request)
            }
            return .notFound
        }
        guard route.methods.contains(request.method) else {
            return .methodNotAllowed(allowed: route.methods)
        }
        return await route.handler(request)
    }
}
