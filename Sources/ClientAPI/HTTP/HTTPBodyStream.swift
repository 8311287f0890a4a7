import NIOCore

/// A response body produced piece by piece for as long as its producer runs: a watch's events, a lease's
/// keep-alive answers.
///
/// ``HTTPServerHandler`` sends the response head (chunked, no `Content-Length`), runs the producer exactly
/// once, and ends the response when the producer returns or throws. When the client goes away the producer's
/// task is cancelled and its writes throw, so a producer waiting for something to write must wait in a
/// cancellable way.
public struct HTTPBodyStream: Sendable {
    /// Writes the body through the writer it is given; returning ends the body.
    public typealias Producer = @Sendable (HTTPBodyWriter) async throws -> Void

    /// The producer of the body.
    public let produce: Producer

    /// A body written by `produce`.
    public init(_ produce: @escaping Producer) {
        self.produce = produce
    }
}

/// Where a streamed body's pieces go. Each write returns once the piece has been written to the connection,
/// so a slow client slows its producer down rather than letting pieces pile up in memory.
public struct HTTPBodyWriter: Sendable {
    private let send: @Sendable (ByteBuffer) async throws -> Void

    /// A writer handing each piece to `send`; ``HTTPServerHandler`` makes the one that writes to the socket.
    public init(_ send: @escaping @Sendable (ByteBuffer) async throws -> Void) {
        self.send = send
    }

    /// Writes one piece of the body and flushes it. Throws once the client has gone away.
    public func write(_ bytes: ByteBuffer) async throws {
        try await self.send(bytes)
    }
}
