import Foundation
import Testing

/// etcd's check of a peer's certificate against the address the peer connects from: a joiner whose peer
/// URL is on 127.0.0.2 connects from 127.0.0.1, so a certificate naming only 127.0.0.2 is refused unless
/// its DNS names lead to 127.0.0.1 or the founder skips the check
/// (`--experimental-peer-skip-client-san-verification`).
@Suite(.serialized) struct PeerAddressCheckTests {
    private static let joinerHost = "127.0.0.2"

    private static func joiner(_ pki: TestPKI, names: String) async throws -> [String] {
        try await pki.sign("joiner", subject: "/CN=etcd-joiner", extensions: [
            "subjectAltName=\(names)", "extendedKeyUsage=serverAuth,clientAuth", "keyUsage=critical,digitalSignature,keyEncipherment",
        ])
        return MemberTLSTests.peerArguments(pki, cert: "joiner")
    }

    @Test func aCertificateForAnotherAddressIsRefusedUnlessTheCheckIsSkipped() async throws {
        let pki = try await TestPKI()
        let joiner = try await Self.joiner(pki, names: "IP:\(Self.joinerHost)")
        try await MemberTLSTests.expectJoinRefused(
            pki, joinerPeer: joiner, joinerHost: Self.joinerHost, refusal: "x509: certificate is valid for 127.0.0.2, not 127.0.0.1"
        )
        try await MemberTLSTests.expectJoinRefused(
            pki, founderExtra: ["--experimental-peer-skip-client-san-verification"], joinerPeer: joiner, joinerHost: Self.joinerHost, refusal: nil
        )
    }

    @Test func dnsNamesLeadingToTheAddressAcceptItAndOthersNot() async throws {
        let pki = try await TestPKI()
        let local = try await Self.joiner(pki, names: "IP:\(Self.joinerHost),DNS:localhost")
        try await MemberTLSTests.expectJoinRefused(pki, joinerPeer: local, joinerHost: Self.joinerHost, refusal: nil)
        let nowhere = try await Self.joiner(pki, names: "IP:\(Self.joinerHost),DNS:nowhere.invalid")
        try await MemberTLSTests.expectJoinRefused(
            pki, joinerPeer: nowhere, joinerHost: Self.joinerHost, refusal: #"tls: \"127.0.0.1\" does not match any of DNSNames [\"nowhere.invalid\"]"#
        )
    }
}
