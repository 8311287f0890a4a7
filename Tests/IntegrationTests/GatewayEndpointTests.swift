import EtcdProto
import Foundation
import ProcessTestSupport
import Testing

/// The JSON gateway of a real member, driven as curl would drive it: every endpoint, streams included, and
/// bad requests refused with 400 and nothing changed.
@Suite(.serialized) struct GatewayEndpointTests {
    private static func startMember() async throws -> MemberProcess {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        return member
    }

    private static func post(_ member: MemberProcess, _ path: String, _ body: String) async throws -> GatewayHTTP.Answer {
        try await GatewayHTTP.post(port: member.clientPort, path, body)
    }

    /// A response header as etcd's gateway writes it, at `revision`.
    private static func header(revision: Int) -> Regex<Substring> {
        try! Regex(#"^\{"header":\{"cluster_id":"\d+","member_id":"\d+","revision":"\#(revision)","raft_term":"\d+"\}"#)
    }

    private static func error(_ message: String, code: Int) -> String {
        #"{"error":"\#(message)","message":"\#(message)","code":\#(code)}"#
    }

    @Test func keyValueEndpoints() async throws {
        let member = try await Self.startMember()
        let put = try await Self.post(member, "/v3/kv/put", #"{"key":"Zm9v","value":"YmFy"}"#)
        #expect(put.status == 200)
        #expect(put.headers["content-type"] == "application/json")
        #expect(put.body.firstMatch(of: Self.header(revision: 2)) != nil, "\(put)")

        let range = try await Self.post(member, "/v3/kv/range", #"{"key":"Zm9v"}"#)
        #expect(range.body.firstMatch(of: Self.header(revision: 2)) != nil, "\(range)")
        #expect(range.body.hasSuffix(#""kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"}"#))

        let txn = try await Self.post(member, "/v3/kv/txn", """
            {"compare":[{"key":"Zm9v","result":"EQUAL","target":"VALUE","value":"YmFy"}],
             "success":[{"request_put":{"key":"Zm9v","value":"YmF6"}},{"request_range":{"key":"Zm9v"}}],
             "failure":[{"request_delete_range":{"key":"Zm9v"}}]}
            """)
        #expect(txn.status == 200)
        #expect(txn.body.hasSuffix(
            #""succeeded":true,"responses":[{"response_put":{"header":{"revision":"3"}}},{"response_range":{"header":{"revision":"3"},"#
                + #""kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"}],"count":"1"}}]}"#
        ), "\(txn)")

        let delete = try await Self.post(member, "/v3/kv/deleterange", #"{"key":"Zm9v","prev_kv":true}"#)
        #expect(delete.body.firstMatch(of: Self.header(revision: 4)) != nil, "\(delete)")
        #expect(delete.body.hasSuffix(
            #""deleted":"1","prev_kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"}]}"#
        ))

        let compact = try await Self.post(member, "/v3/kv/compaction", #"{"revision":"3"}"#)
        #expect(compact.status == 200)
        let future = try await Self.post(member, "/v3/kv/compaction", #"{"revision":"100"}"#)
        #expect(future.status == 400)
        #expect(future.body == Self.error("etcdserver: mvcc: required revision is a future revision", code: 11))
        let compacted = try await Self.post(member, "/v3/kv/range", #"{"key":"Zm9v","revision":2}"#)
        #expect(compacted.status == 400)
        #expect(compacted.body == Self.error("etcdserver: mvcc: required revision has been compacted", code: 11))

        let beta = try await Self.post(member, "/v3beta/kv/range", #"{"key":"Zm9v"}"#)
        #expect(beta.status == 200)
        #expect(beta.body.firstMatch(of: Self.header(revision: 4)) != nil, "\(beta)")
        let get = GatewayHTTP.parse(try await RawHTTP.request(
            port: member.clientPort,
            "GET /v3/kv/range HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ))
        #expect(get.status == 405)
        let unknown = try await Self.post(member, "/v3/kv/nothing", "{}")
        #expect(unknown.status == 404)
        #expect(unknown.body == "Not Found\n")
    }

    @Test func badRequestsAre400AndChangeNothing() async throws {
        let member = try await Self.startMember()
        _ = try await Self.post(member, "/v3/kv/put", #"{"key":"YQ==","value":"MQ=="}"#)
        let before = try await Self.post(member, "/v3/kv/range", #"{"key":"YQ=="}"#)
        let bad: [(path: String, body: String, message: String)] = [
            ("/v3/kv/put", #"{"key":"YQ==","value":"#, "unexpected EOF"),
            ("/v3/kv/put", #"{"key":"YQ==" "value":"Mg=="}"#, #"invalid character '\"' after object key:value pair"#),
            ("/v3/kv/put", #"{"key":"YQ==","value":"Mg=!"}"#, "json: a value is not a valid string; bytes fields take standard base64"),
            ("/v3/kv/put", #"{"key":"YQ==","value":"!!"}"#, "json: a value has the wrong type for its field (bytes fields take standard base64)"),
            ("/v3/kv/put", #"{"key":"YQ==","lease":"abc"}"#, "json: a value is not a valid number"),
            ("/v3/kv/put", #"{"key":["YQ=="]}"#, "json: a value is not a valid string; bytes fields take standard base64"),
            ("/v3/kv/put", "[1]", "json: cannot unmarshal array into Go value of type map[string]json.RawMessage"),
            ("/v3/kv/txn", #"{"success":[{"request_put":{"key":"YQ==","value":"Mg=?"}}]}"#, "json: a value is not a valid string; bytes fields take standard base64"),
            ("/v3/kv/deleterange", #"{"key":"YQ==","prev_kv":"yes"}"#, "json: a value is not a valid boolean"),
        ]
        for request in bad {
            let answer = try await Self.post(member, request.path, request.body)
            #expect(answer.status == 400, "\(request.body)")
            #expect(answer.body == Self.error(request.message, code: 3), "\(request.body)")
            let after = try await Self.post(member, "/v3/kv/range", #"{"key":"YQ=="}"#)
            #expect(after.body == before.body, "\(request.body) changed nothing")
        }

        let unknownFields = try await Self.post(member, "/v3/kv/put", #"{"key":"YQ==","value":"Mg==","nonsense":{"a":[1]},"x":null}"#)
        #expect(unknownFields.status == 200, "\(unknownFields)")
        let after = try await Self.post(member, "/v3/kv/range", #"{"key":"YQ==","keys_only":false}"#)
        #expect(after.body.contains(#""value":"Mg=="}]"#), "\(after)")
    }

    @Test func leaseEndpoints() async throws {
        let member = try await Self.startMember()
        let grant = try await Self.post(member, "/v3/lease/grant", #"{"TTL":"60","ID":"4660"}"#)
        #expect(grant.body.hasSuffix(#""ID":"4660","TTL":"60"}"#), "\(grant)")
        _ = try await Self.post(member, "/v3/kv/put", #"{"key":"bA==","value":"dg==","lease":"4660"}"#)

        let ttl = try await Self.post(member, "/v3/lease/timetolive", #"{"ID":"4660","keys":true}"#)
        let ttlFields = try ttl.json()
        #expect(ttlFields["grantedTTL"] as? String == "60", "\(ttl)")
        #expect((ttlFields["TTL"] as? String).flatMap { Int($0) }.map { (50...60).contains($0) } == true)
        #expect(ttlFields["keys"] as? [String] == ["bA=="])
        let unknown = try await Self.post(member, "/v3/kv/lease/timetolive", #"{"ID":"1"}"#)
        #expect(unknown.body.hasSuffix(#""ID":"1","TTL":"-1"}"#), "\(unknown)")

        for path in ["/v3/lease/leases", "/v3/kv/lease/leases"] {
            let leases = try await Self.post(member, path, "{}")
            #expect(leases.body.hasSuffix(#""leases":[{"ID":"4660"}]}"#), "\(leases)")
        }

        let keepAlive = try await Self.post(member, "/v3/lease/keepalive", #"{"ID":"4660"} {"ID":4660}"#)
        #expect(keepAlive.status == 200)
        #expect(keepAlive.headers["transfer-encoding"] == "chunked")
        let lines = keepAlive.body.split(separator: "\n")
        #expect(lines.count == 2, "\(keepAlive)")
        for line in lines {
            #expect(line.hasPrefix(#"{"result":{"header":{"cluster_id":""#))
            #expect(line.hasSuffix(#""ID":"4660","TTL":"60"}}"#), "\(line)")
        }

        let revoke = try await Self.post(member, "/v3/lease/revoke", #"{"ID":"4660"}"#)
        #expect(revoke.status == 200)
        let gone = try await Self.post(member, "/v3/kv/range", #"{"key":"bA=="}"#)
        #expect(!gone.body.contains("kvs"), "the lease's key went with it: \(gone)")
        let again = try await Self.post(member, "/v3/kv/lease/revoke", #"{"ID":"4660"}"#)
        #expect(again.status == 404)
        #expect(again.body == Self.error("etcdserver: requested lease not found", code: 5))
    }

    @Test func watchStreamsEventsUntilTheClientCloses() async throws {
        let member = try await Self.startMember()
        let watch = try RawConnection(port: member.clientPort)
        let created = try await offload {
            try watch.send(GatewayHTTP.request("/v3/watch", #"{"create_request":{"key":"dw==","prev_kv":true}}"#, keepAlive: true))
            return try watch.read(until: #""created":true}}"#)
        }
        #expect(created.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(created)")
        #expect(created.lowercased().contains("transfer-encoding: chunked"))

        _ = try await Self.post(member, "/v3/kv/put", #"{"key":"dw==","value":"MQ=="}"#)
        _ = try await Self.post(member, "/v3/kv/put", #"{"key":"dw==","value":"Mg=="}"#)
        let previous = #""prev_kv":{"key":"dw==","create_revision":"2","mod_revision":"2","version":"1","value":"MQ=="}"#
        let events = try await offload { try watch.read(until: previous) }
        let lines = String(decoding: GatewayHTTP.dechunk(Array(events.utf8)), as: UTF8.self)
        #expect(lines.contains(#""events":[{"kv":{"key":"dw==","create_revision":"2","mod_revision":"2","version":"1","value":"MQ=="}}]}}"#))
        #expect(lines.contains(#""kv":{"key":"dw==","create_revision":"2","mod_revision":"3","version":"2","value":"Mg=="},"# + previous), "\(lines)")
        watch.hangUp()

        let status = try await Self.post(member, "/v3/maintenance/status", "{}")
        #expect(status.status == 200)
    }

    @Test func clusterAndMaintenanceEndpoints() async throws {
        let member = try await Self.startMember()
        let list = try await Self.post(member, "/v3/cluster/member/list", "{}")
        let members = try list.json()["members"] as? [[String: Any]]
        #expect(members?.count == 1)
        #expect(members?.first?["name"] as? String == "default")
        #expect(members?.first?["clientURLs"] as? [String] == ["http://127.0.0.1:\(member.clientPort)"])

        let add = try await Self.post(member, "/v3/cluster/member/add", #"{"peerURLs":["http://127.0.0.1:1"],"isLearner":true}"#)
        let added = try add.json()["member"] as? [String: Any]
        #expect(added?["isLearner"] as? Bool == true, "\(add)")
        let id = try #require(added?["ID"] as? String)
        #expect(UInt64(id) != nil)
        let remove = try await Self.post(member, "/v3/cluster/member/remove", #"{"ID":"\#(id)"}"#)
        #expect(remove.status == 200, "\(remove)")
        #expect((try remove.json()["members"] as? [Any])?.count == 1)
        let update = try await Self.post(member, "/v3/cluster/member/update", #"{"ID":"1","peerURLs":["http://127.0.0.1:2"]}"#)
        #expect(update.status == 404)
        #expect(update.body == Self.error("etcdserver: member not found", code: 5))
        let promote = try await Self.post(member, "/v3/cluster/member/promote", #"{"ID":"1"}"#)
        #expect(promote.status == 404, "\(promote)")

        let status = try await Self.post(member, "/v3/maintenance/status", "{}")
        let fields = try status.json()
        #expect(fields["version"] as? String == EtcdVersion.server)
        #expect((fields["dbSize"] as? String).flatMap { Int($0) } != nil)
        #expect(fields["leader"] as? String == (fields["header"] as? [String: Any])?["member_id"] as? String)

        let alarms = try await Self.post(member, "/v3/maintenance/alarm", #"{"action":"GET"}"#)
        #expect(alarms.status == 200)
        let activate = try await Self.post(member, "/v3/maintenance/alarm", #"{"action":"ACTIVATE","memberID":"1","alarm":"NOSPACE"}"#)
        #expect(activate.status == 200 && activate.body.contains(#""alarms":[{"memberID":"1","alarm":"NOSPACE"}]"#), "\(activate)")
        let listed = try await Self.post(member, "/v3/maintenance/alarm", #"{"action":"GET"}"#)
        #expect(listed.body.contains(#""alarms":[{"memberID":"1","alarm":"NOSPACE"}]"#), "\(listed)")
        let deactivate = try await Self.post(member, "/v3/maintenance/alarm", #"{"action":"DEACTIVATE","memberID":"1","alarm":"NOSPACE"}"#)
        #expect(deactivate.status == 200, "\(deactivate)")
        #expect(!(try await Self.post(member, "/v3/maintenance/alarm", #"{"action":"GET"}"#)).body.contains("NOSPACE"))
        let hash = try await Self.post(member, "/v3/maintenance/hash", "{}")
        #expect(try hash.json()["hash"] is NSNumber, "\(hash)")
        let hashKV = try await Self.post(member, "/v3/maintenance/hashkv", "{}")
        #expect(try hashKV.json()["hash"] is NSNumber, "\(hashKV)")
        let defragment = try await Self.post(member, "/v3/maintenance/defragment", "{}")
        #expect(defragment.status == 200 && defragment.body.hasPrefix(#"{"header":"#), "\(defragment)")
        let snapshot = try await Self.post(member, "/v3/maintenance/snapshot", "{}")
        let chunks = snapshot.body.split(separator: "\n")
        #expect(snapshot.status == 200 && chunks.count >= 2, "\(snapshot)")
        #expect(chunks.first?.hasPrefix(#"{"result":{"remaining_bytes":"#) == true || chunks.first?.hasPrefix(#"{"result":{"blob":"#) == true)
        #expect(chunks.last?.wholeMatch(of: /\{"result":\{"blob":"[A-Za-z0-9+\/]{43}="\}\}/) != nil, "the SHA-256 comes last: \(chunks.last ?? "")")
        let transfer = try await Self.post(member, "/v3/maintenance/transfer-leadership", #"{"targetID":"1"}"#)
        #expect(transfer.status >= 400, "\(transfer)")
        let userAdded = try await Self.post(member, "/v3/auth/user/add", #"{"name":"alice","password":"pw"}"#)
        #expect(userAdded.status == 200 && userAdded.body.hasPrefix(#"{"header":"#), "\(userAdded)")
        let users = try await Self.post(member, "/v3/auth/user/list", "{}")
        #expect(try users.json()["users"] as? [String] == ["alice"], "\(users)")
        let authStatus = try await Self.post(member, "/v3/auth/status", "{}")
        #expect(authStatus.status == 200 && authStatus.body.contains(#""authRevision":"2""#), "\(authStatus)")
        let refused = try await Self.post(member, "/v3/auth/enable", "{}")
        #expect(refused.body == Self.error("etcdserver: root user does not exist", code: 9), "\(refused)")
    }

    /// With auth enabled, the gateway takes a token from `Authenticate` in the `Authorization` header (bare,
    /// or after `Bearer `, as etcd 3.5 takes it).
    @Test func authorizationHeaderCarriesTheToken() async throws {
        let member = try await Self.startMember()
        for (path, body) in [
            ("/v3/auth/user/add", #"{"name":"root","password":"rootpw"}"#), ("/v3/auth/user/grant", #"{"user":"root","role":"root"}"#),
            ("/v3/auth/enable", "{}"),
        ] {
            let answer = try await Self.post(member, path, body)
            #expect(answer.status == 200, "\(path): \(answer)")
        }
        let anonymous = try await Self.post(member, "/v3/kv/put", #"{"key":"Zm9v","value":"YmFy"}"#)
        #expect(anonymous.body == Self.error("etcdserver: user name is empty", code: 3), "\(anonymous)")
        let wrong = try await Self.post(member, "/v3/auth/authenticate", #"{"name":"root","password":"nope"}"#)
        #expect(wrong.body == Self.error("etcdserver: authentication failed, invalid user ID or password", code: 3), "\(wrong)")
        let authenticated = try await Self.post(member, "/v3/auth/authenticate", #"{"name":"root","password":"rootpw"}"#)
        let token = try #require(try authenticated.json()["token"] as? String, "\(authenticated.body)")
        #expect(token.wholeMatch(of: /[a-zA-Z]{16}\.[0-9]+/) != nil, "\(token)")
        let put = try await GatewayHTTP.post(port: member.clientPort, "/v3/kv/put", #"{"key":"Zm9v","value":"YmFy"}"#, authorization: token)
        #expect(put.status == 200, "\(put)")
        let range = try await GatewayHTTP.post(port: member.clientPort, "/v3/kv/range", #"{"key":"Zm9v"}"#, authorization: "Bearer " + token)
        #expect(range.body.contains(#""value":"YmFy""#), "\(range)")
        let stale = try await GatewayHTTP.post(port: member.clientPort, "/v3/kv/range", #"{"key":"Zm9v"}"#, authorization: "nonsense.1")
        #expect(stale.body == Self.error("etcdserver: invalid auth token", code: 16), "\(stale)")
    }
}
