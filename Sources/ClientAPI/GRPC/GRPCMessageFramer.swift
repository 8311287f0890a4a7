import NIOCore

/// gRPC's length-prefixed messages on an HTTP/2 stream: a compressed flag byte, a four-byte big-endian
/// length, then the message. Reassembles messages from DATA frames in whatever pieces they arrive.
struct GRPCMessageDeframer {
    /// Why the stream's bytes are not acceptable.
    enum Failure: Error, Equatable {
        /// A message longer than the limit; etcd's clients see grpc-go's wording.
        case tooLarge(length: Int, limit: Int)
        /// A compressed message: this member accepts none, as etcd registers no decompressor.
        case compressed
    }

    private var buffer: ByteBuffer?
    private let limit: Int

    /// A deframer refusing messages longer than `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Whether bytes of an unfinished message are waiting.
    var hasPartialMessage: Bool {
        (self.buffer?.readableBytes ?? 0) > 0
    }

    /// Adds `bytes` and returns the messages they complete, in order.
    mutating func append(_ bytes: ByteBuffer) throws(Failure) -> [ByteBuffer] {
        if self.buffer == nil || self.buffer!.readableBytes == 0 {
            self.buffer = bytes
        } else {
            var more = bytes
            self.buffer!.writeBuffer(&more)
        }
        var messages: [ByteBuffer] = []
        while let message = try self.next() {
            messages.append(message)
        }
        return messages
    }

    private mutating func next() throws(Failure) -> ByteBuffer? {
        guard var buffer = self.buffer, buffer.readableBytes >= 5,
            let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
        else { return nil }
        if flag != 0 { throw .compressed }
        guard Int(length) <= self.limit else { throw .tooLarge(length: Int(length), limit: self.limit) }
        guard buffer.readableBytes >= 5 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        let message = buffer.readSlice(length: Int(length))
        self.buffer = buffer
        return message
    }
}

/// Writes messages with gRPC's five-byte prefix (uncompressed).
enum GRPCMessageFramer {
    /// `messages` as length-prefixed messages one after the other, in one buffer from `allocator`.
    static func frame(_ messages: [[UInt8]], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: messages.reduce(0) { $0 + 5 + $1.count })
        for bytes in messages {
            buffer.writeInteger(UInt8(0))
            buffer.writeInteger(UInt32(bytes.count))
            buffer.writeBytes(bytes)
        }
        return buffer
    }
}
