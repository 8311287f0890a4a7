import EtcdProto
import Glibc
import NIOSSL

/// A client's TLS settings, as etcdctl's `--cacert`, `--cert`, `--key` and `--insecure-skip-tls-verify` give
/// them: the CA bundle the member's certificate must chain to (the system's roots when none), the client's
/// own certificate and key (both or neither), and whether to skip verifying the member (its chain and its
/// name). The member's name is checked against the endpoint's host: an IP address against the
/// certificate's IP SANs, a DNS name against its DNS SANs.
///
/// The PEM files are read and checked when the value is made, so a missing, unreadable or malformed file,
/// or a key that does not belong to the certificate, is reported before any connection, naming the file.
public struct ClientTLS: Sendable {
    public let caFile: String?
    public let certFile: String?
    public let keyFile: String?
    /// Accept any certificate the member shows (Go's `InsecureSkipVerify`): no chain, no name check.
    public var insecureSkipVerify: Bool

    /// The PEM text of each file, as read when the value was made.
    let caPEM: [UInt8]?
    let certPEM: [UInt8]?
    let keyPEM: [UInt8]?

    /// Reads and checks the files; throws etcd's pkg/transport error when only one of `certFile` and `keyFile`
    /// is given, Go's `open PATH: …` when a file cannot be read, and an error naming the file when its
    /// contents are not what they should be.
    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, insecureSkipVerify: Bool = false)
        throws(EtcdError)
    {
        if (certFile ?? "").isEmpty != (keyFile ?? "").isEmpty {
            throw EtcdError(.invalidArgument, "KeyFile and CertFile must both be present[key: \(keyFile ?? ""), cert: \(certFile ?? "")]")
        }
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
        self.caPEM = try caFile.map { path throws(EtcdError) in try Self.read(path) }
        self.certPEM = try certFile.map { path throws(EtcdError) in try Self.read(path) }
        self.keyPEM = try keyFile.map { path throws(EtcdError) in try Self.read(path) }
        _ = try self.configuration()
    }

    /// NIOSSL's client configuration for these settings; throws an error naming the file that is not usable.
    func configuration() throws(EtcdError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = self.insecureSkipVerify ? .none : .fullVerification
        if let caFile = self.caFile, let caPEM = self.caPEM {
            configuration.trustRoots = .certificates(try Self.certificates(caPEM, caFile))
        }
        if let certFile = self.certFile, let certPEM = self.certPEM, let keyFile = self.keyFile, let keyPEM = self.keyPEM {
            configuration.certificateChain = try Self.certificates(certPEM, certFile).map { .certificate($0) }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            } catch {
                throw EtcdError(.invalidArgument, "\(keyFile): no PEM private key found")
            }
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw EtcdError(.invalidArgument, "tls: private key \(keyFile) does not match the public key of \(certFile)")
            }
        }
        return configuration
    }

    private static func certificates(_ pem: [UInt8], _ path: String) throws(EtcdError) -> [NIOSSLCertificate] {
        let found: [NIOSSLCertificate]
        do {
            found = try NIOSSLCertificate.fromPEMBytes(pem)
        } catch {
            throw EtcdError(.invalidArgument, "\(path): no PEM certificate found")
        }
        guard !found.isEmpty else { throw EtcdError(.invalidArgument, "\(path): no PEM certificate found") }
        return found
    }

    /// The bytes of the file at `path`, or Go's `open PATH: reason` (`no such file or directory`, …).
    private static func read(_ path: String) throws(EtcdError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw EtcdError(.invalidArgument, "open \(path): \(Self.reason(errno))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw EtcdError(.invalidArgument, "read \(path): \(Self.reason(errno))") }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    /// `strerror` as Go words it: the first letter in lower case.
    private static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
