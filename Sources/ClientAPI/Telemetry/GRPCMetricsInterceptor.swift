import GRPCCore
import Prometheus
import Telemetry

/// Counts every RPC the way go-grpc-prometheus does for etcd: started, stream messages received and
/// sent, handled with the status code it ended with (a stream when it ends), and, when enabled, how long
/// it was handled.
public struct GRPCMetricsInterceptor: ServerInterceptor {
    private let metrics: GRPCServerMetrics

    /// Records into `metrics`; RPCs of methods it does not know pass through uncounted.
    public init(metrics: GRPCServerMetrics) {
        self.metrics = metrics
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let descriptor = context.descriptor
        guard let series = self.metrics.method(service: descriptor.service.fullyQualifiedService, name: descriptor.method) else {
            return try await next(request, context)
        }
        series.started.increment()
        let started = ContinuousClock.now
        let received = series.messagesReceived
        var request = request
        request.messages = RPCAsyncSequence(wrapping: request.messages.map { message in
            received.increment()
            return message
        })
        let response: StreamingServerResponse<Output>
        do {
            response = try await next(request, context)
        } catch {
            Self.finish(series, code: Self.code(of: error), started: started)
            throw error
        }
        switch response.accepted {
        case .failure(let error):
            Self.finish(series, code: error.code.rawValue, started: started)
            return response
        case .success(var contents):
            let producer = contents.producer
            contents.producer = { writer in
                let counting = RPCWriter<Output>(wrapping: CountingWriter(base: writer, counter: series.messagesSent))
                do {
                    let trailers = try await producer(counting)
                    Self.finish(series, code: 0, started: started)
                    return trailers
                } catch {
                    Self.finish(series, code: Self.code(of: error), started: started)
                    throw error
                }
            }
            return StreamingServerResponse(accepted: .success(contents))
        }
    }

    private static func finish(_ series: GRPCServerMetrics.MethodSeries, code: Int, started: ContinuousClock.Instant) {
        series.handled(code: code).increment()
        if let histogram = series.handlingSeconds {
            histogram.record((ContinuousClock.now - started).inSeconds)
        }
    }

    /// The status code grpc-swift ends an RPC with for `error`.
    private static func code(of error: any Error) -> Int {
        if let error = error as? RPCError { return error.code.rawValue }
        if let error = error as? any RPCErrorConvertible { return error.rpcErrorCode.rawValue }
        if error is CancellationError { return RPCError.Code.cancelled.rawValue }
        return RPCError.Code.unknown.rawValue
    }
}

/// Passes messages on to the real writer, counting each one written.
private struct CountingWriter<Element: Sendable>: RPCWriterProtocol {
    let base: RPCWriter<Element>
    let counter: Counter

    func write(_ element: Element) async throws {
        try await self.base.write(element)
        self.counter.increment()
    }

    func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements { try await self.write(element) }
    }
}
