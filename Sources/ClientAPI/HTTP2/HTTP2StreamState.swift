import NIOCore
import NIOHPACK

/// One open stream's flow-control windows, ends and the frames it has queued behind its send window.
final class HTTP2StreamState {
    /// A frame the handler wrote, waiting for its turn (data for the send windows, trailers behind data).
    enum Pending {
        case data(ByteBuffer, endStream: Bool, promise: EventLoopPromise<Void>?)
        case headers(HPACKHeaders, endStream: Bool, promise: EventLoopPromise<Void>?)

        var endStream: Bool {
            switch self {
            case .data(_, let endStream, _), .headers(_, let endStream, _): endStream
            }
        }

        var promise: EventLoopPromise<Void>? {
            switch self {
            case .data(_, _, let promise), .headers(_, _, let promise): promise
            }
        }
    }

    var sendWindow: Int
    var receiveWindow: Int
    /// The client sent END_STREAM.
    var remoteEnded: Bool
    /// The handler wrote a frame with END_STREAM, and it has gone out.
    var localEnded = false
    /// The handler wrote a frame with END_STREAM (it may still be queued).
    var endQueued = false
    var pending = CircularBuffer<Pending>()
    var waitingForConnectionWindow = false

    init(sendWindow: Int, receiveWindow: Int, remoteEnded: Bool) {
        self.sendWindow = sendWindow
        self.receiveWindow = receiveWindow
        self.remoteEnded = remoteEnded
    }

    func failPending() {
        while let frame = self.pending.popFirst() { frame.promise?.fail(HTTP2ServerCodec.StreamClosed()) }
    }
}
