import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP server for a scheduled backup service: `GET /metrics` answers the backup metrics as
/// Prometheus text, `GET /health` answers `ok`; anything else is 404. Listens on an `http://host:port` URL.
public final class MetricsServer: Sendable {
    private let channel: any Channel

    /// Starts listening on `url`; `metrics` is asked for the text at each scrape.
    public init(url: String, metrics: @escaping @Sendable () -> String) async throws(OpsError) {
        guard let parsed = URL(string: url), parsed.scheme == "http", let host = parsed.host, let port = parsed.port else {
            throw OpsError(.usage, "--listen-metrics must be http://host:port, not \(url)")
        }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsResponder(metrics: metrics))
                }
            }
        do {
            self.channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw OpsError(.output, "cannot listen on \(url): \(error)")
        }
    }

    /// Stops listening.
    public func close() async {
        try? await self.channel.close()
    }
}

/// Answers one connection's requests.
private final class MetricsResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: @Sendable () -> String
    private var head: HTTPRequestHead?

    init(metrics: @escaping @Sendable () -> String) {
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let (status, body, type): (HTTPResponseStatus, String, String) =
                switch (head.method, path) {
                case (.GET, "/metrics"): (.ok, self.metrics(), "text/plain; version=0.0.4; charset=utf-8")
                case (.GET, "/health"): (.ok, "ok\n", "text/plain; charset=utf-8")
                default: (.notFound, "404 page not found\n", "text/plain; charset=utf-8")
                }
            var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", "\(body.utf8.count)")])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let keepAlive = head.isKeepAlive
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }
}
