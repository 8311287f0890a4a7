import Foundation
import GRPCCore
import ProcessTestSupport
import Testing

/// `--auth-token jwt,…` on our member: Go etcdctl 3.4 works with it as with simple tokens; tokens our
/// member signs are accepted by Go etcd 3.4 holding the same keys and users, Go's by ours, and ours by
/// our member after a restart; every key family starts; a verify-only member refuses to sign, and an
/// unreadable key file stops the member.
@Suite(.serialized) struct JWTTokenTests {
    /// RSA, EC (P-256) and HMAC keys made with openssl, in a scratch directory.
    final class Keys: Sendable {
        let directory: Scratch

        init() async throws {
            self.directory = try Scratch()
            try await self.openssl(["genrsa", "-out", self.path("rsa.key"), "2048"])
            try await self.openssl(["rsa", "-in", self.path("rsa.key"), "-pubout", "-out", self.path("rsa.pub")])
            try await self.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", self.path("ec.key")])
            try await self.openssl(["ec", "-in", self.path("ec.key"), "-pubout", "-out", self.path("ec.pub")])
            try await self.openssl(["rand", "-out", self.path("hmac.key"), "32"])
        }

        func path(_ name: String) -> String { self.directory.path + "/" + name }

        var rs256: String { "jwt,pub-key=\(self.path("rsa.pub")),priv-key=\(self.path("rsa.key")),sign-method=RS256,ttl=10m" }

        private func openssl(_ arguments: [String]) async throws {
            let result = try await ProcessRunner.run(try Binaries.system("openssl"), arguments)
            try #require(result.status == 0, "openssl \(arguments): \(result.standardError)")
        }
    }

    /// Adds root and alice (readwrite on `app/`) and enables auth, with Go etcdctl.
    static func enableAuth(port: Int) async throws {
        for setup in [
            "user add root:rootpw", "user add alice:pw", "role add app", "role grant-permission app --prefix readwrite app/",
            "user grant-role alice app", "auth enable",
        ] {
            let result = try await Etcdctl.run(["127.0.0.1:\(port)"], setup.split(separator: " ").map(String.init))
            try #require(result.status == 0, "\(setup): \(result.standardError)")
        }
    }

    static func ourMember(authToken: String) async throws -> MemberProcess {
        let member = try MemberProcess(arguments: ["--auth-token", authToken])
        try await member.waitUntilServing()
        return member
    }

    @Test func goEtcdctlWorksWithOurJWTs() async throws {
        let keys = try await Keys()
        let member = try await Self.ourMember(authToken: keys.rs256)
        try await Self.enableAuth(port: member.clientPort)
        let endpoint = ["127.0.0.1:\(member.clientPort)"]
        let put = try await Etcdctl.run(endpoint, ["--user", "alice:pw", "put", "app/x", "1"])
        #expect(put.status == 0 && put.standardOutput == "OK\n", "\(put)")
        let get = try await Etcdctl.run(endpoint, ["--user", "alice:pw", "get", "app/x", "--print-value-only"])
        #expect(get.standardOutput == "1\n", "\(get)")
        let denied = try await Etcdctl.run(endpoint, ["--user", "alice:pw", "put", "other", "1"])
        #expect(denied.status != 0 && denied.standardError.contains("etcdserver: permission denied"), "\(denied)")
        let wrong = try await Etcdctl.run(endpoint, ["--user", "alice:nope", "get", "app/x"])
        #expect(wrong.standardError.contains("authentication failed, invalid user ID or password"), "\(wrong)")

        let calls = try TokenCalls(port: member.clientPort)
        let token = try await calls.authenticate("alice", "pw")
        let parts = token.split(separator: ".")
        #expect(parts.count == 3 && parts[0] == "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9", "header {\"alg\":\"RS256\",\"typ\":\"JWT\"}: \(token)")
        #expect(try await calls.value(of: "app/x", token: token) == "1")
        // Any auth change raises the revision: the old token is refused as old, a new one works.
        let added = try await Etcdctl.run(endpoint, ["--user", "root:rootpw", "user", "add", "bob:pw"])
        try #require(added.status == 0, "\(added)")
        await #expect { _ = try await calls.value(of: "app/x", token: token) } throws: { error in
            (error as? RPCError)?.message == "etcdserver: revision of auth store is old"
        }
        #expect(try await calls.value(of: "app/x", token: try await calls.authenticate("alice", "pw")) == "1")
        await #expect { _ = try await calls.value(of: "app/x", token: "a.b.c") } throws: { error in
            (error as? RPCError)?.code == .unauthenticated && (error as? RPCError)?.message == "etcdserver: invalid auth token"
        }
        await calls.close()
        _ = try await member.terminate()
    }

    @Test func tokensCrossBetweenOurMemberAndGoEtcd() async throws {
        let keys = try await Keys()
        let ours = try await Self.ourMember(authToken: keys.rs256)
        try await Self.enableAuth(port: ours.clientPort)
        let ourEndpoint = ["127.0.0.1:\(ours.clientPort)"]
        let written = try await Etcdctl.run(ourEndpoint, ["--user", "alice:pw", "put", "app/shared", "v"])
        try #require(written.status == 0, "\(written)")
        let snapshot = keys.path("ours.db")
        let saved = try await Etcdctl.run(ourEndpoint, ["--user", "root:rootpw", "snapshot", "save", snapshot])
        try #require(saved.status == 0, "\(saved)")

        let goData = keys.path("go-data")
        let peerPort = try FreePort.next()
        let peerURL = "http://127.0.0.1:\(peerPort)"
        let restored = try await Etcdctl.run([], [
            "snapshot", "restore", snapshot, "--data-dir", goData, "--name", "default",
            "--initial-cluster", "default=\(peerURL)", "--initial-advertise-peer-urls", peerURL,
        ])
        try #require(restored.status == 0, "\(restored)")
        let go = try MemberProcess(
            arguments: ["--name", "default", "--data-dir", goData, "--auth-token", keys.rs256],
            peerPort: peerPort,
            executable: try Binaries.system("etcd")
        )
        try await go.waitUntilServing()

        let ourCalls = try TokenCalls(port: ours.clientPort)
        let goCalls = try TokenCalls(port: go.clientPort)
        let ourToken = try await ourCalls.authenticate("alice", "pw")
        let goToken = try await goCalls.authenticate("alice", "pw")
        #expect(try await goCalls.value(of: "app/shared", token: ourToken) == "v", "Go etcd accepts our token")
        #expect(try await ourCalls.value(of: "app/shared", token: goToken) == "v", "our member accepts Go's token")
        try await ourCalls.put("app/from-go-token", "1", token: goToken)
        try await goCalls.put("app/from-our-token", "1", token: ourToken)
        await #expect(throws: RPCError.self) { _ = try await goCalls.value(of: "other", token: ourToken) }
        await ourCalls.close()
        await goCalls.close()
        _ = try await go.terminate()
        _ = try await ours.terminate()
    }

    @Test func aTokenOutlivesTheMemberThatSignedIt() async throws {
        let keys = try await Keys()
        let (clientPort, peerPort) = (try FreePort.next(), try FreePort.next())
        let arguments = ["--data-dir", keys.path("data"), "--auth-token", keys.rs256]
        let first = try MemberProcess(arguments: arguments, clientPort: clientPort, peerPort: peerPort)
        try await first.waitUntilServing()
        try await Self.enableAuth(port: clientPort)
        let calls = try TokenCalls(port: clientPort)
        let token = try await calls.authenticate("alice", "pw")
        try await calls.put("app/kept", "1", token: token)
        await calls.close()
        #expect(try await first.terminate() == 0)

        let second = try MemberProcess(arguments: arguments, clientPort: clientPort, peerPort: peerPort)
        try await second.waitUntilServing()
        let again = try TokenCalls(port: clientPort)
        #expect(try await again.value(of: "app/kept", token: token) == "1", "a JWT needs no state on the member")
        await again.close()
        _ = try await second.terminate()
    }

    @Test func ecAndHMACMembersStartAndAuthenticate() async throws {
        let keys = try await Keys()
        for option in [
            "jwt,pub-key=\(keys.path("ec.pub")),priv-key=\(keys.path("ec.key")),sign-method=ES256",
            "jwt,priv-key=\(keys.path("hmac.key")),sign-method=HS256",
        ] {
            let member = try await Self.ourMember(authToken: option)
            try await Self.enableAuth(port: member.clientPort)
            let endpoint = ["127.0.0.1:\(member.clientPort)"]
            let put = try await Etcdctl.run(endpoint, ["--user", "alice:pw", "put", "app/k", "v"])
            let get = try await Etcdctl.run(endpoint, ["--user", "alice:pw", "get", "app/k", "--print-value-only"])
            #expect(put.status == 0 && get.standardOutput == "v\n", "\(option): \(put) \(get)")
            _ = try await member.terminate()
        }
    }

    @Test func aVerifyOnlyMemberRefusesToSign() async throws {
        let keys = try await Keys()
        let member = try await Self.ourMember(authToken: "jwt,pub-key=\(keys.path("rsa.pub")),sign-method=RS256")
        for setup in ["user add root:rootpw", "auth enable"] {
            let result = try await Etcdctl.run(["127.0.0.1:\(member.clientPort)"], setup.split(separator: " ").map(String.init))
            try #require(result.status == 0, "\(setup): \(result.standardError)")
        }
        let calls = try TokenCalls(port: member.clientPort)
        await #expect { _ = try await calls.authenticate("root", "rootpw") } throws: { error in
            (error as? RPCError)?.code == .unknown && (error as? RPCError)?.message == "auth: token signing attempted with verify-only key"
        }
        await calls.close()
        _ = try await member.terminate()
    }

    @Test func anUnreadableKeyFileStopsTheMemberNamingIt() async throws {
        let keys = try await Keys()
        let missing = keys.path("absent.key")
        let member = try MemberProcess(arguments: ["--auth-token", "jwt,priv-key=\(missing),sign-method=RS256"])
        #expect(try await member.waitForExit(timeout: .seconds(10)) == 1)
        let lines = member.log.split(separator: "\n").filter { $0.contains(missing) }
        #expect(lines.count == 1 && lines[0].contains("No such file or directory"), "\(member.log)")

        let unknown = try MemberProcess(arguments: ["--auth-token", "jwt,priv-key=\(keys.path("rsa.key")),sign-method=RS257"])
        #expect(try await unknown.waitForExit(timeout: .seconds(10)) == 1)
        #expect(unknown.log.contains("auth: invalid auth options"), "\(unknown.log)")
    }
}
