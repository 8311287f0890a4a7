import Foundation
import ProcessTestSupport
import Testing

/// The same gateway requests against our member and against Go etcd 3.4 (`/usr/bin/etcd`) get the same
/// status and, once ids and hashes are masked, the same body byte for byte. Requests whose error texts are
/// ours by design (values protobuf cannot decode: Go's texts name Go types) compare status and code only.
/// Left out on purpose: a stream whose first request cannot be read, which Go etcd answers `500` with code 2
/// (Unknown) and we answer `400` with code 3, as every other unreadable request.
@Suite(.serialized) struct GatewayCompatibilityTests {
    struct Step: Sendable, CustomStringConvertible {
        var path: String
        var body: String
        /// Only the status and the error's code must match, not the text.
        var codeOnly = false

        var description: String { "\(self.path) \(self.body)" }
    }

    static let script: [Step] = [
        Step(path: "/v3/kv/put", body: #"{"key":"Zm9v","value":"YmFy"}"#),
        Step(path: "/v3/kv/put", body: #"{"key":"Zm9v","value":"YmF6","prev_kv":true}"#),
        Step(path: "/v3/kv/put", body: #"{"key":"Zm9vMg==","value":"PD4mIg==","lease":"0"}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v"}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v","rangeEnd":"Zm9w","count_only":true}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v","range_end":"Zm9w","sort_order":"DESCEND","sort_target":"MOD","limit":1}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"AA==","range_end":"AA==","keys_only":true,"bogus":{"a":[1,null]}}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v"} trailing"#),
        Step(path: "/v3beta/kv/range", body: #"{"key":"Zm9v","serializable":true}"#),
        Step(path: "/v3/kv/range", body: ""),
        Step(path: "/v3/kv/range", body: "null"),
        Step(path: "/v3/kv/range", body: #"{"key":"#),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v" "x":1}"#),
        Step(path: "/v3/kv/range", body: #"{"key":tru}"#),
        Step(path: "/v3/kv/range", body: "[1]"),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v!"}"#, codeOnly: true),
        Step(path: "/v3/kv/range", body: #"{"key":5}"#, codeOnly: true),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v","sort_order":"NOPE"}"#, codeOnly: true),
        Step(path: "/v3/kv/txn", body: """
            {"compare":[{"key":"Zm9v","result":"EQUAL","target":"VALUE","value":"YmF6"}],
             "success":[{"request_put":{"key":"Zm9v","value":"MQ=="}},{"request_range":{"key":"Zm9v"}}],
             "failure":[{"request_delete_range":{"key":"Zm9v"}}]}
            """),
        Step(path: "/v3/kv/txn", body: """
            {"compare":[{"key":"Zm9v","result":"LESS","target":"CREATE","create_revision":"1"}],
             "success":[{"request_put":{"key":"Zm9v","value":"Mg=="}}],
             "failure":[{"request_range":{"key":"Zm9v","count_only":true}},{"request_delete_range":{"key":"bm8="}}]}
            """),
        Step(path: "/v3/kv/txn", body: #"{"success":[{"request_put":{"key":"YQ=="}},{"request_put":{"key":"YQ=="}}]}"#),
        Step(path: "/v3/kv/deleterange", body: #"{"key":"bm8="}"#),
        Step(path: "/v3/kv/deleterange", body: #"{"key":"Zm9vMg==","prev_kv":true}"#),
        Step(path: "/v3/kv/compaction", body: #"{"revision":"100"}"#),
        Step(path: "/v3/kv/compaction", body: #"{"revision":"3","physical":true}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"Zm9v","revision":"2"}"#),
        Step(path: "/v3/kv/put", body: #"{"value":"YQ=="}"#),
        Step(path: "/v3/lease/grant", body: #"{"TTL":"60","ID":"4660"}"#),
        Step(path: "/v3/lease/grant", body: #"{"TTL":60,"ID":4660}"#),
        Step(path: "/v3/kv/put", body: #"{"key":"bA==","value":"dg==","lease":"4660"}"#),
        Step(path: "/v3/kv/put", body: #"{"key":"bA==","value":"dg==","lease":"99"}"#),
        Step(path: "/v3/kv/lease/timetolive", body: #"{"ID":"99"}"#),
        Step(path: "/v3/lease/leases", body: "{}"),
        Step(path: "/v3/lease/keepalive", body: #"{"ID":"4660"}{"ID":4660} {"ID":"#),
        Step(path: "/v3/lease/revoke", body: #"{"ID":"4660"}"#),
        Step(path: "/v3/kv/lease/revoke", body: #"{"ID":"4660"}"#),
        Step(path: "/v3/kv/range", body: #"{"key":"bA=="}"#),
        Step(path: "/v3/cluster/member/update", body: #"{"ID":"5","peerURLs":["http://127.0.0.1:2"]}"#),
        Step(path: "/v3/cluster/member/promote", body: #"{"ID":"5"}"#),
        Step(path: "/v3/cluster/member/remove", body: #"{"ID":"5"}"#),
        Step(path: "/v3/cluster/member/list", body: "{}"),
        Step(path: "/v3/maintenance/transfer-leadership", body: #"{"targetID":"5"}"#),
        Step(path: "/v3/maintenance/hash", body: "{}"),
        Step(path: "/v3/kv/nothing", body: "{}"),
        Step(path: "/v3alpha/kv/range", body: "{}"),
    ]

    @Test func theGatewayAnswersOurMemberAsGoEtcdAnswers() async throws {
        let goEtcd = try Binaries.system("etcd")
        let ours = try await self.transcript(executable: Binaries.etcd)
        let theirs = try await self.transcript(executable: goEtcd)
        #expect(ours.count == theirs.count)
        for (index, (mine, go)) in zip(ours, theirs).enumerated() {
            #expect(mine == go, "step \(index): \(index < Self.script.count ? Self.script[index].description : "watch")")
        }
    }

    /// Each step's status and masked body against a fresh one-member cluster of `executable`, then a watch's.
    private func transcript(executable: URL) async throws -> [String] {
        let member = try MemberProcess(executable: executable)
        try await member.waitUntilServing()
        var lines: [String] = []
        for step in Self.script {
            let answer = try await GatewayHTTP.post(port: member.clientPort, step.path, step.body)
            if step.codeOnly {
                lines.append("\(answer.status) code \(String(describing: try answer.json()["code"]))")
            } else {
                lines.append("\(answer.status) \(Self.mask(answer.body, port: member.clientPort))")
            }
        }
        lines.append(Self.mask(try await self.watchTranscript(port: member.clientPort), port: member.clientPort))
        return lines
    }

    /// A watch with `prev_kv` sees a put and a delete made after it starts.
    private func watchTranscript(port: Int) async throws -> String {
        let watch = try RawConnection(port: port)
        let created = try await offload {
            try watch.send(GatewayHTTP.request("/v3/watch", #"{"create_request":{"key":"dw==","prev_kv":true}}"#, keepAlive: true))
            return try watch.read(until: "\"created\":true}}\n")
        }
        _ = try await GatewayHTTP.post(port: port, "/v3/kv/put", #"{"key":"dw==","value":"MQ=="}"#)
        _ = try await GatewayHTTP.post(port: port, "/v3/kv/deleterange", #"{"key":"dw==","prev_kv":true}"#)
        let events = try await offload { try watch.read(until: #""type":"DELETE""#) }
        let rest = events.hasSuffix("\r\n") ? "" : try await offload { try watch.read(until: "\r\n") }
        watch.hangUp()
        let body = GatewayHTTP.parse(created + events + rest)
        return "\(body.status) \(body.headers["content-type"] ?? "") \(body.body)"
    }

    /// Hides what differs by nature: cluster and member ids, the ports, hashes.
    private static func mask(_ text: String, port: Int) -> String {
        text.replacing(try! Regex(#""(cluster_id|member_id|hash)":"?\d+"?"#)) { match in "\"\(match.output[1].substring ?? "")\":N" }
            .replacing(try! Regex(#"\{"ID":"\d+","name":"default""#), with: #"{"ID":N,"name":"default""#)
            .replacing(try! Regex(#"127\.0\.0\.1:\d+"#), with: "127.0.0.1:PORT")
    }
}
