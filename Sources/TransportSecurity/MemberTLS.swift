import Foundation
import NIOSSL
import Synchronization

/// One side's TLS (the client port, or the peer port and the member's connections to its peers): NIOSSL
/// contexts made from the settings' files, checked when made (``CertificateFiles``). The files are looked
/// at again for every new connection and the contexts re-made when one changed, so rotated certificates
/// are used without a restart; a rotation caught half-written keeps the previous context and reports why.
public final class MemberTLS: Sendable {
    /// Which side of the member the settings are for.
    public enum Side: String, Sendable {
        case client
        case peer
    }

    private struct Contexts {
        var stamps: [FileStamp?]
        var server: NIOSSLContext
        var client: NIOSSLContext
    }

    public let settings: TLSSettings
    public let side: Side
    /// Application protocols the server offers, in its order of preference.
    private let applicationProtocols: [String]
    /// Whether the certificate is self-signed (`--auto-tls`): peers then skip verifying each other.
    private let selfSigned: Bool
    private let contexts: Mutex<Contexts>
    private let reloadFailed: @Sendable (TLSConfigurationError) -> Void

    /// Checks the files and makes the first contexts; throws one clear line naming the file at fault.
    public init(
        settings: TLSSettings,
        side: Side,
        selfSigned: Bool = false,
        applicationProtocols: [String] = [],
        reloadFailed: @escaping @Sendable (TLSConfigurationError) -> Void = { _ in }
    ) throws(TLSConfigurationError) {
        if let maximum = settings.maximumVersion, settings.minimumVersion > maximum {
            throw TLSConfigurationError("min version (\(settings.minimumVersion.rawValue)) is greater than max version (\(maximum.rawValue))")
        }
        if settings.minimumVersion == .tls13, !settings.cipherSuites.isEmpty {
            throw TLSConfigurationError("cipher suites cannot be configured when only TLS1.3 is enabled")
        }
        if !settings.allowedCN.isEmpty, !settings.allowedHostname.isEmpty {
            throw TLSConfigurationError("AllowedCN and AllowedHostname are mutually exclusive (cn=\(settings.allowedCN), hostname=\(settings.allowedHostname))")
        }
        self.settings = settings
        self.side = side
        self.selfSigned = selfSigned
        self.applicationProtocols = applicationProtocols
        self.reloadFailed = reloadFailed
        self.contexts = Mutex(try Self.make(settings, side: side, selfSigned: selfSigned, protocols: applicationProtocols))
    }

    /// The context for a connection accepted now.
    public func serverContext() -> NIOSSLContext {
        self.current().server
    }

    /// The context for a connection this member makes now (to a peer), presenting its certificate.
    public func clientContext() -> NIOSSLContext {
        self.current().client
    }

    /// Why a client's verified certificate may not use the connection, nil when it may: the allowed-CN or
    /// allowed-hostname check (etcd's "client certificate authentication failed"), or a serial the
    /// revocation list names (read again for every connection, as etcd reads it; an unreadable list refuses).
    public func refusal(of certificate: PeerCertificate?) -> String? {
        if !self.settings.allowedCN.isEmpty, certificate?.commonName != self.settings.allowedCN {
            return "client certificate authentication failed"
        }
        if !self.settings.allowedHostname.isEmpty, certificate?.isValid(for: self.settings.allowedHostname) != true {
            return "client certificate authentication failed"
        }
        if !self.settings.crlFile.isEmpty, let certificate {
            do throws(TLSConfigurationError) {
                let revoked = try RevocationList.serials(in: self.settings.crlFile)
                if revoked.contains(RevocationList.normalized(certificate.serialNumber)) {
                    return "certificate with serial \(certificate.serialNumber.map { String(format: "%02x", $0) }.joined()) revoked"
                }
            } catch {
                return error.description
            }
        }
        return nil
    }

    private func current() -> Contexts {
        self.contexts.withLock { contexts in
            let stamps = Self.stamps(self.settings)
            guard stamps != contexts.stamps else { return contexts }
            do throws(TLSConfigurationError) {
                contexts = try Self.make(self.settings, side: self.side, selfSigned: self.selfSigned, protocols: self.applicationProtocols)
            } catch {
                contexts.stamps = stamps
                self.reloadFailed(error)
            }
            return contexts
        }
    }

    private static func make(_ settings: TLSSettings, side: Side, selfSigned: Bool, protocols: [String]) throws(TLSConfigurationError) -> Contexts {
        let stamps = Self.stamps(settings)
        let files = try CertificateFiles(certFile: settings.certFile, keyFile: settings.keyFile)
        if !settings.crlFile.isEmpty { _ = try RevocationList.serials(in: settings.crlFile) }
        if !settings.trustedCAFile.isEmpty {
            _ = try CertificateFiles.certificates(in: settings.trustedCAFile)
            if side == .peer, !selfSigned { try files.checkSigned(byCAIn: settings.trustedCAFile) }
        }
        let chain = files.chain.map { NIOSSLCertificateSource.certificate($0) }
        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(files.key))
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain
        client.privateKey = .privateKey(files.key)
        try Self.apply(settings, to: &server)
        try Self.apply(settings, to: &client)
        server.applicationProtocols = protocols
        if settings.requiresClientCertificate {
            server.certificateVerification = .noHostnameVerification
            server.trustRoots = settings.trustedCAFile.isEmpty ? .default : .file(settings.trustedCAFile)
        }
        if selfSigned {
            client.certificateVerification = .none
        } else if !settings.trustedCAFile.isEmpty {
            client.trustRoots = .file(settings.trustedCAFile)
        }
        do {
            return Contexts(stamps: stamps, server: try NIOSSLContext(configuration: server), client: try NIOSSLContext(configuration: client))
        } catch {
            throw TLSConfigurationError("cannot use certificate \(settings.certFile) with key \(settings.keyFile): \(error)")
        }
    }

    private static func apply(_ settings: TLSSettings, to configuration: inout TLSConfiguration) throws(TLSConfigurationError) {
        configuration.minimumTLSVersion = settings.minimumVersion == .tls13 ? .tlsv13 : .tlsv12
        configuration.maximumTLSVersion = settings.maximumVersion.map { $0 == .tls13 ? .tlsv13 : .tlsv12 }
        if !settings.cipherSuites.isEmpty { configuration.cipherSuiteValues = try CipherSuites.ciphers(settings.cipherSuites) }
    }

    private static func stamps(_ settings: TLSSettings) -> [FileStamp?] {
        [settings.certFile, settings.keyFile, settings.trustedCAFile].map(FileStamp.init)
    }
}
