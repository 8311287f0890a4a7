import NIOCore
import SwiftProtobuf

/// Frames carry exactly one protobuf message each.
enum PeerFrames {
    static func encode(_ message: some SwiftProtobuf.Message) throws -> ByteBuffer {
        let bytes: [UInt8] = try message.serializedBytes()
        return ByteBuffer(bytes: bytes)
    }

    static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from frame: ByteBuffer) throws -> M {
        try M(serializedBytes: Array(frame.readableBytesView))
    }
}
