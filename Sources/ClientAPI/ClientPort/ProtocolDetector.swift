/// Decides from the first bytes of a connection which protocol it speaks.
///
/// gRPC clients open with the HTTP/2 connection preface (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`); anything else
/// is treated as HTTP/1.1, which answers garbage with `400 Bad Request` and closes. The decision is made
/// as soon as the bytes seen so far stop matching the preface, so an HTTP/1.1 request is routed after its
/// first byte and an HTTP/2 one after exactly 24 bytes.
public enum ProtocolDetector {
    /// The protocol a connection was found to speak.
    public enum Verdict: Equatable, Sendable {
        /// The bytes so far are a proper prefix of the HTTP/2 preface: wait for more.
        case needMoreBytes
        /// The full HTTP/2 preface arrived: the connection carries gRPC.
        case http2
        /// The bytes cannot start an HTTP/2 preface: the connection speaks HTTP/1.x (or nonsense).
        case http1
    }

    /// The 24 bytes every HTTP/2 client sends first (RFC 9113, section 3.4).
    public static let http2Preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// Classifies a connection from the bytes received so far.
    public static func classify<Bytes: Collection<UInt8>>(_ received: Bytes) -> Verdict {
        var count = 0
        for (byte, expected) in zip(received, http2Preface) {
            if byte != expected { return .http1 }
            count += 1
        }
        return count == http2Preface.count ? .http2 : .needMoreBytes
    }
}
