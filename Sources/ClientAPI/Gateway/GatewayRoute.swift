import GRPCCore
import NIOCore
import SwiftProtobuf

/// One gateway endpoint: reads the request from the JSON body, calls the gRPC service method with it as
/// grpc-swift would, and answers in the shapes of etcd's gateway. The service does the work; a route only
/// translates, so an endpoint behaves as its RPC does on the gRPC side of the port.
public struct GatewayRoute: Sendable {
    /// Answers one request body.
    let respond: @Sendable (ByteBuffer) async -> HTTPResponse

    /// A unary RPC: one request object in, one response object or an error out.
    public static func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        _ call: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) -> GatewayRoute {
        GatewayRoute { body in
            do {
                let request = try GatewayJSON.request(Request.self, in: body)
                let response = try await Self.withContext(method) { context in try await call(request, context) }
                return GatewayResponse.message(response)
            } catch {
                return GatewayResponse.failure(GatewayStatus(error))
            }
        }
    }

    /// An RPC with one request and a stream of responses (etcd's `Snapshot`).
    public static func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        _ call: @escaping @Sendable (Request, RPCWriter<Response>, ServerContext) async throws -> Void
    ) -> GatewayRoute {
        GatewayRoute { body in
            let request: Request
            do throws(GatewayStatus) {
                request = try GatewayJSON.request(Request.self, in: body)
            } catch {
                return GatewayResponse.failure(error)
            }
            return await GatewayStream.respond { relay in
                try await Self.withContext(method) { context in
                    try await call(request, RPCWriter(wrapping: RelayWriter<Response>(relay: relay)), context)
                }
            }
        }
    }

    /// What a bidirectional call's request stream does after the body's last request.
    public enum AfterBody: Sendable {
        /// Ends, as a client closing its side of the stream (a keep-alive stream then ends).
        case ends
        /// Stays open until the client goes away: etcd keeps a watch stream open after the client's side
        /// closes, and a body cannot end otherwise.
        case staysOpen
    }

    /// A bidirectional streaming RPC: the body's JSON objects are the requests, in order, up to the first
    /// that cannot be read; the responses are streamed back.
    public static func bidirectional<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: MethodDescriptor,
        afterBody: AfterBody,
        _ call: @escaping @Sendable (RPCAsyncSequence<Request, any Error>, RPCWriter<Response>, ServerContext) async throws -> Void
    ) -> GatewayRoute {
        GatewayRoute { body in
            let (requests, error) = GatewayJSON.requests(Request.self, in: body)
            if let error, requests.isEmpty {
                return GatewayResponse.failure(error)
            }
            return await GatewayStream.respond { relay in
                let (stream, continuation) = AsyncThrowingStream.makeStream(of: Request.self)
                for request in requests {
                    continuation.yield(request)
                }
                if afterBody == .ends {
                    continuation.finish()
                }
                defer { continuation.finish() }
                try await Self.withContext(method) { context in
                    try await call(
                        RPCAsyncSequence(wrapping: stream),
                        RPCWriter(wrapping: RelayWriter<Response>(relay: relay)),
                        context
                    )
                }
            }
        }
    }

    /// Runs `body` with the context a service method gets, for `method`.
    private static func withContext<Result: Sendable>(
        _ method: MethodDescriptor,
        _ body: (ServerContext) async throws -> Result
    ) async throws -> Result {
        try await withServerContextRPCCancellationHandle { handle in
            try await body(ServerContext(descriptor: method, remotePeer: "gateway", localPeer: "gateway", cancellation: handle))
        }
    }
}

/// The response writer a streaming service method gets from the gateway: each message becomes a
/// `{"result":…}` line handed to the relay.
private struct RelayWriter<Response: SwiftProtobuf.Message>: RPCWriterProtocol {
    let relay: GatewayStreamRelay

    func write(_ element: Response) async throws {
        try await self.relay.offer(try GatewayResponse.resultLine(element))
    }

    func write(contentsOf elements: some Sequence<Response>) async throws {
        for element in elements {
            try await self.write(element)
        }
    }
}
