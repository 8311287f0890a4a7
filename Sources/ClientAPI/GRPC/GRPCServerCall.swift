import Auth
import NIOCore
import NIOHTTP2

/// The server's side of one gRPC call on an HTTP/2 stream, owned by its connection's event loop.
final class GRPCServerCall {
    let streamID: HTTP2StreamID
    let method: GRPCMethod
    let started = ContinuousClock.now
    /// The request's `grpc-encoding`, named in the error for a compressed message.
    let encoding: String?
    /// Who the call says it comes from: its `token` metadata and the connection's client certificate.
    let credentials: CallerCredentials
    var deframer: GRPCMessageDeframer
    /// A unary call's request, once it has arrived.
    var request: ByteBuffer?
    /// Where a streaming call's requests go.
    var requests: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?
    var task: Task<Void, Never>?
    var deadline: Scheduled<Void>?
    /// Whether the response headers have gone out (else the status goes as a trailers-only response).
    var headersSent = false
    /// Whether the client has closed its side of the stream.
    var clientEnded = false
    /// Bytes received on the stream, whose messages were taken, and not yet given back to the client's
    /// flow-control window.
    var unreturnedCredit = 0
    /// Request messages handed to a streaming call so far, and how many of them it has taken.
    var delivered = 0
    var consumed = 0
    /// Bytes held back from the client until the call takes the message they completed: one entry per
    /// DATA frame that completed messages, with the count of messages delivered once it had; entries
    /// before `heldStart` are released.
    var heldCredit: [(throughMessage: Int, bytes: Int)] = []
    var heldStart = 0
    /// The promises of a streaming call's response writes still on their way out, oldest first; failed when
    /// the call stops, since data flow control holds back is never written once the connection is gone.
    var waitingWrites: [EventLoopPromise<Void>] = []

    init(streamID: HTTP2StreamID, method: GRPCMethod, encoding: String?, credentials: CallerCredentials, maxMessageBytes: Int) {
        self.streamID = streamID
        self.method = method
        self.encoding = encoding
        self.credentials = credentials
        self.deframer = GRPCMessageDeframer(limit: maxMessageBytes)
    }

    /// Stops whatever still runs for the call: its task, its request stream, its deadline and its writes'
    /// waits.
    func stop() {
        self.task?.cancel()
        let waiting = self.waitingWrites
        self.waitingWrites = []
        for promise in waiting { promise.fail(CancellationError()) }
        self.requests?.finish(throwing: CancellationError())
        self.requests = nil
        self.deadline?.cancel()
        self.deadline = nil
    }

    /// Counts the call as handled with `code` in its method's series.
    func count(code: Int) {
        guard let series = self.method.series else { return }
        series.handled(code: code).increment()
        series.handlingSeconds?.record((ContinuousClock.now - self.started).inSeconds)
    }
}
