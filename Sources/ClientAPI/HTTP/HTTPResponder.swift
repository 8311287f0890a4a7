/// Answers complete HTTP/1.1 requests on the client port. Called concurrently from many connections.
public protocol HTTPResponder: Sendable {
    /// Produces the response to `request`. Errors are the responder's to turn into responses.
    func respond(to request: HTTPRequest) async -> HTTPResponse
}
