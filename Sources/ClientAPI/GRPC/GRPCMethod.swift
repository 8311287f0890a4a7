import GRPCCore
import NIOCore
import SwiftProtobuf
import Telemetry

/// One method the client port serves over gRPC: how its messages reach the service, and its metric series.
struct GRPCMethod: Sendable {
    /// How a call of the method runs.
    enum Handler: Sendable {
        /// One request message in, one response message out, both serialized; runs once the request has
        /// ended, on the connection's event loop unless the method may block for long (`onEventLoop`).
        case unary(@Sendable (ByteBuffer) async throws -> [UInt8], onEventLoop: Bool)
        /// Requests and responses as streams of serialized messages; runs as soon as the call starts.
        case streaming(@Sendable (GRPCRequestStream, any GRPCResponseSink) async throws -> Void)
    }

    let handler: Handler
    /// go-grpc-prometheus' series of the method (made as calls use them for a method not in ``ServedMethods``);
    /// nil when the member keeps no metrics.
    let series: GRPCServerMetrics.MethodSeries?

    /// A unary method answered by `call`; `blocking` keeps it off the event loop (a method that scans the
    /// whole store synchronously would stall every connection of the loop).
    static func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ descriptor: MethodDescriptor,
        metrics: GRPCServerMetrics?,
        blocking: Bool = false,
        _ call: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) -> (path: String, method: GRPCMethod) {
        Self.unaryEncoding(descriptor, metrics: metrics, blocking: blocking) { request, context in
            try await call(request, context).serializedBytes()
        }
    }

    /// A unary method whose service serializes its response itself, answered by `call`; `blocking` as
    /// for ``unary(_:metrics:blocking:_:)``.
    static func unaryEncoding<Request: SwiftProtobuf.Message>(
        _ descriptor: MethodDescriptor,
        metrics: GRPCServerMetrics?,
        blocking: Bool = false,
        _ call: @escaping @Sendable (Request, ServerContext) async throws -> [UInt8]
    ) -> (path: String, method: GRPCMethod) {
        let context = Self.context(for: descriptor)
        let handler = Handler.unary(
            { bytes in try await call(try Self.decode(Request.self, from: bytes), context) },
            onEventLoop: !blocking
        )
        return Self.entry(descriptor, metrics: metrics, handler: handler)
    }

    /// A method with one request and a stream of responses, answered by `call`.
    static func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ descriptor: MethodDescriptor,
        metrics: GRPCServerMetrics?,
        _ call: @escaping @Sendable (Request, RPCWriter<Response>, ServerContext) async throws -> Void
    ) -> (path: String, method: GRPCMethod) {
        let context = Self.context(for: descriptor)
        let handler = Handler.streaming { requests, sink in
            var iterator = requests.makeAsyncIterator()
            guard let first = try await iterator.next() else { throw Self.missingRequest }
            if try await iterator.next() != nil { throw Self.extraRequest }
            let request = try Self.decode(Request.self, from: first)
            try await call(request, RPCWriter(wrapping: GRPCMessageWriter<Response>(sink: sink)), context)
        }
        return Self.entry(descriptor, metrics: metrics, handler: handler)
    }

    /// A method streaming both ways, answered by `call`.
    static func bidirectional<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ descriptor: MethodDescriptor,
        metrics: GRPCServerMetrics?,
        _ call: @escaping @Sendable (RPCAsyncSequence<Request, any Error>, RPCWriter<Response>, ServerContext) async throws -> Void
    ) -> (path: String, method: GRPCMethod) {
        let context = Self.context(for: descriptor)
        let handler = Handler.streaming { requests, sink in
            let messages = requests.map { bytes in try Self.decode(Request.self, from: bytes) }
            try await call(RPCAsyncSequence(wrapping: messages), RPCWriter(wrapping: GRPCMessageWriter<Response>(sink: sink)), context)
        }
        return Self.entry(descriptor, metrics: metrics, handler: handler)
    }

    /// A method streaming both ways whose service encodes its responses itself, answered by `call`.
    static func bidirectionalEncoding<Request: SwiftProtobuf.Message>(
        _ descriptor: MethodDescriptor,
        metrics: GRPCServerMetrics?,
        _ call: @escaping @Sendable (RPCAsyncSequence<Request, any Error>, any GRPCResponseSink) async throws -> Void
    ) -> (path: String, method: GRPCMethod) {
        let handler = Handler.streaming { requests, sink in
            let messages = requests.map { bytes in try Self.decode(Request.self, from: bytes) }
            try await call(RPCAsyncSequence(wrapping: messages), sink)
        }
        return Self.entry(descriptor, metrics: metrics, handler: handler)
    }

    private static func entry(
        _ descriptor: MethodDescriptor,
        metrics: GRPCServerMetrics?,
        handler: Handler
    ) -> (path: String, method: GRPCMethod) {
        let service = descriptor.service.fullyQualifiedService
        let series = metrics.map { metrics in
            metrics.method(service: service, name: descriptor.method)
                ?? metrics.seriesOnFirstUse(
                    of: GRPCServerMetrics.Method(service: service, name: descriptor.method, type: ServedMethods.callType(descriptor.type))
                )
        }
        return ("/" + descriptor.fullyQualifiedMethod, GRPCMethod(handler: handler, series: series))
    }

    /// The context the services' methods take. Ours read nothing from it; a call is cancelled through its task.
    private static func context(for descriptor: MethodDescriptor) -> ServerContext {
        ServerContext(descriptor: descriptor, remotePeer: "", localPeer: "", cancellation: ServerContext.RPCCancellationHandle())
    }

    private static func decode<Message: SwiftProtobuf.Message>(_ type: Message.Type, from bytes: ByteBuffer) throws -> Message {
        do {
            return try Message(serializedBytes: bytes.readableBytesSpan)
        } catch {
            throw RPCError(code: .internalError, message: "grpc: error unmarshalling request: \(error)")
        }
    }

    private static let missingRequest = RPCError(code: .internalError, message: "grpc: the call ended without its request message")
    private static let extraRequest = RPCError(code: .internalError, message: "grpc: more than one request message for a call that takes one")
}

/// The request messages of a streaming call, serialized, as they arrive; it ends when the client closes its
/// side. Taking a message tells the connection (`consumed`), which gives the client flow-control credit
/// for it only then: a client that sends faster than the call reads is held back by HTTP/2 instead of
/// filling the member's memory.
struct GRPCRequestStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let messages: AsyncThrowingStream<ByteBuffer, any Error>
    let consumed: @Sendable () -> Void

    func makeAsyncIterator() -> Iterator {
        Iterator(base: self.messages.makeAsyncIterator(), consumed: self.consumed)
    }

    /// Iterates the messages, reporting each one taken.
    struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let consumed: @Sendable () -> Void

        mutating func next() async throws -> ByteBuffer? {
            guard let message = try await self.base.next() else { return nil }
            self.consumed()
            return message
        }
    }
}

/// Where a streaming call writes its serialized responses; a write returns once its messages have gone to the
/// socket.
protocol GRPCResponseSink: Sendable {
    func write(contentsOf messages: [[UInt8]]) async throws
}

/// A service's typed response writer over a call's sink.
private struct GRPCMessageWriter<Message: SwiftProtobuf.Message>: RPCWriterProtocol {
    let sink: any GRPCResponseSink

    func write(_ element: Message) async throws {
        try await self.sink.write(contentsOf: [try element.serializedBytes()])
    }

    func write(contentsOf elements: some Sequence<Message>) async throws {
        try await self.sink.write(contentsOf: elements.map { try $0.serializedBytes() })
    }
}
