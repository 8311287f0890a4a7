import CZlib
import Foundation

/// A streaming zlib (RFC 1950) compressor or decompressor over system zlib: bytes go in piece by piece and
/// come out as they are ready, so a backup of any size passes through a fixed amount of memory. The
/// decompressor also reads gzip (RFC 1952), told apart by its header.
public final class ZlibStream {
    /// Which way the bytes go.
    public enum Direction: Sendable {
        /// Compress at `level` (1 fastest … 9 smallest; 6 is zlib's default).
        case compress(level: Int32)
        /// Decompress zlib or gzip.
        case decompress
    }

    private static let outputBytes = 256 * 1024

    private let direction: Direction
    private var stream = z_stream()
    private var finished = false

    /// A stream ready for input; throws when zlib refuses the settings (a level outside 0…9).
    public init(_ direction: Direction) throws(ZlibError) {
        self.direction = direction
        let size = Int32(MemoryLayout<z_stream>.size)
        let status: Int32
        switch direction {
        case .compress(let level):
            status = deflateInit2_(&self.stream, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), size)
        case .decompress:
            status = inflateInit2_(&self.stream, 15 + 32, zlibVersion(), size)
        }
        guard status == Z_OK else { throw ZlibError(status: status, stream: nil) }
    }

    deinit {
        switch self.direction {
        case .compress: deflateEnd(&self.stream)
        case .decompress: inflateEnd(&self.stream)
        }
    }

    /// Whether a decompressor has read the end of its compressed data (what follows it is not its own).
    public var reachedEnd: Bool { self.finished }

    /// Passes `input` through and returns what came out of it so far.
    public func process(_ input: some ContiguousBytes) throws(ZlibError) -> [UInt8] {
        try self.run(input, flush: Z_NO_FLUSH)
    }

    /// Ends the stream: a compressor writes what it holds and the trailer; a decompressor checks that its
    /// data ended (a truncated file fails here).
    public func finish() throws(ZlibError) -> [UInt8] {
        switch self.direction {
        case .compress:
            return try self.run([UInt8](), flush: Z_FINISH)
        case .decompress:
            guard self.finished else { throw ZlibError.truncated }
            return []
        }
    }

    private func run(_ input: some ContiguousBytes, flush: Int32) throws(ZlibError) -> [UInt8] {
        var output: [UInt8] = []
        var failure: ZlibError?
        if case .decompress = self.direction, self.finished {
            let count = input.withUnsafeBytes { $0.count }
            if count > 0 { throw ZlibError.trailingData }
            return output
        }
        input.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let base = bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
            self.stream.next_in = base
            self.stream.avail_in = UInt32(bytes.count)
            var buffer = [UInt8](repeating: 0, count: Self.outputBytes)
            while true {
                let (status, produced) = buffer.withUnsafeMutableBufferPointer { out in
                    self.stream.next_out = out.baseAddress
                    self.stream.avail_out = UInt32(out.count)
                    let status: Int32
                    switch self.direction {
                    case .compress: status = deflate(&self.stream, flush)
                    case .decompress: status = inflate(&self.stream, Z_NO_FLUSH)
                    }
                    return (status, out.count - Int(self.stream.avail_out))
                }
                output.append(contentsOf: buffer[0..<produced])
                switch status {
                case Z_STREAM_END:
                    self.finished = true
                    if self.stream.avail_in > 0 { failure = ZlibError.trailingData }
                    return
                case Z_OK:
                    if self.stream.avail_in == 0 && self.stream.avail_out > 0 && flush != Z_FINISH { return }
                case Z_BUF_ERROR where self.stream.avail_in == 0:
                    return
                default:
                    failure = ZlibError(status: status, stream: self.stream.msg.map { String(cString: $0) })
                    return
                }
            }
        }
        self.stream.next_in = nil
        if let failure { throw failure }
        return output
    }
}

/// A failure of zlib: damaged or truncated compressed data, or settings it refuses.
public struct ZlibError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(status: Int32, stream message: String?) {
        let kind: String
        switch status {
        case Z_DATA_ERROR: kind = "the compressed data is damaged"
        case Z_MEM_ERROR: kind = "out of memory"
        case Z_STREAM_ERROR: kind = "invalid compression settings"
        case Z_VERSION_ERROR: kind = "incompatible zlib version"
        default: kind = "zlib error \(status)"
        }
        self.description = message.map { "\(kind) (\($0))" } ?? kind
    }

    private init(description: String) {
        self.description = description
    }

    /// The compressed data ended before its end marker.
    static let truncated = ZlibError(description: "the compressed data is truncated")
    /// Bytes follow the end of the compressed data.
    static let trailingData = ZlibError(description: "data follows the end of the compressed stream")
}
