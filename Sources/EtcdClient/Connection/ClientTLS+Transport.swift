import GRPCNIOTransportHTTP2

extension ClientTLS {
    /// These settings as grpc-swift's TLS configuration (the files' PEM text as read when checked).
    var transport: HTTP2ClientTransport.Posix.TransportSecurity.TLS {
        .defaults { config in
            config.serverCertificateVerification = self.insecureSkipVerify ? .noVerification : .fullVerification
            if let caPEM = self.caPEM {
                config.trustRoots = .certificates([.bytes(caPEM, format: .pem)])
            }
            if let certPEM = self.certPEM, let keyPEM = self.keyPEM {
                config.certificateChain = [.bytes(certPEM, format: .pem)]
                config.privateKey = .bytes(keyPEM, format: .pem)
            }
        }
    }
}

extension ClientConfiguration {
    /// How the connection to `endpoint` is secured, as clientv3 decides: `http://` is plaintext, `https://`
    /// is TLS with these settings (or, without any, the system's roots and full verification), and a bare
    /// `host:port` is TLS exactly when there are TLS settings.
    func transportSecurity(for endpoint: Endpoint) -> HTTP2ClientTransport.Posix.TransportSecurity {
        switch endpoint.scheme {
        case .http: .plaintext
        case .https: .tls(self.tls?.transport ?? .defaults)
        case .unspecified: self.tls.map { .tls($0.transport) } ?? .plaintext
        }
    }
}
