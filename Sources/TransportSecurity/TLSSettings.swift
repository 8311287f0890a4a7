/// One side's TLS settings as etcd's flags give them (`--cert-file`, `--key-file`, `--trusted-ca-file`,
/// `--client-cert-auth`, `--auto-tls`, `--client-crl-file`, the allowed CN and hostname; the `--peer-*`
/// twins for the peer side), with the cipher suites and TLS versions both sides share.
public struct TLSSettings: Sendable, Equatable {
    public var certFile = ""
    public var keyFile = ""
    public var trustedCAFile = ""
    /// Clients must present a certificate the trusted CA signed.
    public var clientCertAuth = false
    /// Make a self-signed certificate when none is given (`--auto-tls`).
    public var autoTLS = false
    public var crlFile = ""
    /// The Common Name a client certificate must carry (`--peer-cert-allowed-cn`); empty for any.
    public var allowedCN = ""
    /// A name a client certificate must be valid for (`--client-cert-allowed-hostname`,
    /// `--peer-cert-allowed-hostname`); empty for any.
    public var allowedHostname = ""
    /// Accept a peer's certificate whatever address it connects from
    /// (`--experimental-peer-skip-client-san-verification`); the peer side only.
    public var skipClientSANVerify = false
    /// Go names of the allowed cipher suites (`--cipher-suites`); empty for the library's defaults.
    public var cipherSuites: [String] = []
    public var minimumVersion: TLSVersionSetting = .tls12
    public var maximumVersion: TLSVersionSetting?
    /// Years a self-signed certificate is valid (`--self-signed-cert-validity`).
    public var selfSignedValidityYears = 1

    public init() {}

    /// Whether the side has a certificate to serve with (given, or to be made).
    public var hasCertificate: Bool { !self.certFile.isEmpty || !self.keyFile.isEmpty }

    /// Whether clients must present a verified certificate: etcd requires one when a trusted CA is given
    /// or client certificate auth is on.
    public var requiresClientCertificate: Bool { self.clientCertAuth || !self.trustedCAFile.isEmpty }
}
