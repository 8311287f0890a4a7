import ClientAPI
import EtcdProto
import GRPCCore
import NIOCore
import NIOHTTP1
import Testing

/// The gateway's JSON mapping and error shapes, against routes with stand-in service methods (no sockets, no
/// member). Expected bodies are what etcd 3.4's gateway answers for the same requests.
@Suite struct JSONGatewayTests {
    static let method = MethodDescriptor(
        service: ServiceDescriptor(fullyQualifiedService: "test.Gateway"),
        method: "Call",
        type: .unary
    )

    private let gateway = JSONGateway(routes: [
        "/v3/kv/put": .unary(Self.method) { (request: Etcdserverpb_PutRequest, _) -> Etcdserverpb_PutResponse in
            var response = Etcdserverpb_PutResponse()
            response.header.clusterID = UInt64.max
            response.header.revision = 7
            response.prevKv.key = request.key
            response.prevKv.value = request.value
            response.prevKv.createRevision = 1
            return response
        },
        "/v3/echo/range": .unary(Self.method) { (request: Etcdserverpb_RangeRequest, _) in request },
        "/v3/echo/watch": .unary(Self.method) { (request: Etcdserverpb_WatchRequest, _) in request },
        "/v3/echo/txn": .unary(Self.method) { (request: Etcdserverpb_TxnRequest, _) in request },
        "/v3/kv/compaction": .unary(Self.method) { (_: Etcdserverpb_CompactionRequest, _) -> Etcdserverpb_CompactionResponse in
            throw EtcdError.futureRevision
        },
        "/v3/lease/revoke": .unary(Self.method) { (_: Etcdserverpb_LeaseRevokeRequest, _) -> Etcdserverpb_LeaseRevokeResponse in
            throw EtcdError.leaseNotFound
        },
        "/v3/broken": .unary(Self.method) { (_: Etcdserverpb_StatusRequest, _) -> Etcdserverpb_StatusResponse in
            throw CancellationError()
        },
        "/v3/cluster/member/list": .unary(Self.method) { (_: Etcdserverpb_MemberListRequest, _) in
            var member = Etcdserverpb_Member()
            member.id = 1
            member.name = "a<b>&c\u{8}\u{c}\u{7f}\u{85}\u{2028}\"\\\n\u{1}é"
            member.isLearner = true
            var response = Etcdserverpb_MemberListResponse()
            response.members = [member]
            return response
        },
    ])

    private func post(_ path: String, _ body: String) async -> (status: HTTPResponseStatus, headers: HTTPHeaders, body: String) {
        let response = await self.gateway.respond(to: HTTPRequest(method: .POST, uri: path, body: ByteBuffer(string: body)))
        #expect(response.bodyStream == nil)
        return (response.status, response.headers, String(buffer: response.body))
    }

    private static func errorBody(_ message: String, code: Int) -> String {
        #"{"error":"\#(message)","message":"\#(message)","code":\#(code)}"#
    }

    @Test func bytesAreBase64AndSixtyFourBitIntegersStrings() async {
        let answer = await self.post("/v3/kv/put", #"{"key":"Zm9v","value":"YmFy"}"#)
        #expect(answer.status == .ok)
        #expect(answer.headers["Content-Type"] == ["application/json"])
        #expect(answer.headers["Grpc-Metadata-Content-Type"] == ["application/grpc"])
        #expect(
            answer.body
                == #"{"header":{"cluster_id":"18446744073709551615","revision":"7"},"prev_kv":{"key":"Zm9v","create_revision":"1","value":"YmFy"}}"#
        )
    }

    @Test func requestsTakeProtoOrCamelCaseNamesAndUnknownFieldsAreIgnored() async {
        let body = #"{"key":"YQ==","rangeEnd":"Yg==","limit":12,"sort_order":"DESCEND","sortTarget":2,"bogus":{"x":[1,"y",null]}}"#
        let answer = await self.post("/v3/echo/range", body)
        #expect(answer.status == .ok)
        #expect(answer.body == #"{"key":"YQ==","range_end":"Yg==","limit":"12","sort_order":"DESCEND","sort_target":"CREATE"}"#)
        let quoted = await self.post("/v3/echo/range", #"{"limit":"12","count_only":true}"#)
        #expect(quoted.body == #"{"limit":"12","count_only":true}"#)
    }

    @Test func anEmptyBodyOrNullIsTheDefaultRequestAndOnlyTheFirstValueIsRead() async {
        for body in ["", " \r\n\t", "null"] {
            let answer = await self.post("/v3/echo/range", body)
            #expect(answer.status == .ok)
            #expect(answer.body == "{}")
        }
        let trailing = await self.post("/v3/echo/range", #"{"key":"YQ=="} trailing {"#)
        #expect(trailing.body == #"{"key":"YQ=="}"#)
    }

    @Test(arguments: [
        (#"{"key":"#, "unexpected EOF"),
        (#"{"limit":abc}"#, "invalid character 'a' looking for beginning of value"),
        (#"{"key" "YQ=="}"#, #"invalid character '\"' after object key"#),
        (#"{"key":"YQ==" "x":1}"#, #"invalid character '\"' after object key:value pair"#),
        (#"{"key":"YQ==",}"#, "invalid character '}' looking for beginning of object key string"),
        (#"{"key":["#, "unexpected EOF"),
        (#"{"key":[1 2]}"#, "invalid character '2' after array element"),
        (#"{"key":"a\qb"}"#, "invalid character 'q' in string escape code"),
        (#"{"key":"\u12g4"}"#, #"invalid character 'g' in \\u hexadecimal character escape"#),
        ("{\"key\":\"a\nb\"}", #"invalid character '\\n' in string literal"#),
        (#"{"limit":tru}"#, "invalid character '}' in literal true (expecting 'e')"),
        (#"{"limit":-x}"#, "invalid character 'x' in numeric literal"),
        (#"{"limit":1.}"#, "invalid character '}' after decimal point in numeric literal"),
        (#"{"limit":1e}"#, "invalid character '}' in exponent of numeric literal"),
        ("[1]", "json: cannot unmarshal array into Go value of type map[string]json.RawMessage"),
        (#""x""#, "json: cannot unmarshal string into Go value of type map[string]json.RawMessage"),
        ("5", "json: cannot unmarshal number into Go value of type map[string]json.RawMessage"),
    ])
    func malformedJSONGets400WithGosWords(body: String, message: String) async {
        let answer = await self.post("/v3/echo/range", body)
        #expect(answer.status == .badRequest)
        #expect(answer.headers["Content-Type"] == ["application/json"])
        #expect(answer.headers["Grpc-Metadata-Content-Type"].isEmpty)
        #expect(answer.body == Self.errorBody(message, code: 3))
    }

    @Test(arguments: [
        (#"{"key":"Zm9v!"}"#, "json: a value is not a valid string; bytes fields take standard base64"),
        (#"{"key":5}"#, "json: a value is not a valid string; bytes fields take standard base64"),
        (#"{"limit":"abc"}"#, "json: a value is not a valid number"),
        (#"{"limit":1.5}"#, "json: a value is not a valid number"),
        (#"{"limit":"99999999999999999999"}"#, "json: a number is out of range for its field"),
        (#"{"bogus":1,"sort_order":"NOPE","x":{"sort_order":"NOPE"}}"#, "json: unknown value for an enum field"),
        (#"{"sort_order":"NOPE"}"#, "json: unknown value for an enum field"),
        (#"{"keys_only":"yes"}"#, "json: a value is not a valid boolean"),
        (#"{"key":{}}"#, "json: a value is not a valid string; bytes fields take standard base64"),
        (#"{"key":"!!"}"#, "json: a value has the wrong type for its field (bytes fields take standard base64)"),
    ])
    func valuesThatDoNotFitTheMessageGet400(body: String, message: String) async {
        let answer = await self.post("/v3/echo/range", body)
        #expect(answer.status == .badRequest)
        #expect(answer.body == Self.errorBody(message, code: 3))
    }

    @Test func nestedMessagesAreCheckedAsStrictlyAndTheirUnknownFieldsIgnored() async {
        let base64 = await self.post("/v3/echo/watch", ##"{"create_request":{"key":"#"}}"##)
        #expect(base64.body == Self.errorBody("json: a value has the wrong type for its field (bytes fields take standard base64)", code: 3))
        let filter = await self.post("/v3/echo/watch", #"{"create_request":{"key":"YQ==","filters":["NOPUT","NOPE"]}}"#)
        #expect(filter.body == Self.errorBody("json: unknown value for an enum field", code: 3))
        let extra = await self.post("/v3/echo/watch", #"{"create_request":{"key":"YQ==","filters":["NODELETE"],"extra":{"filters":1}}}"#)
        #expect(extra.body == #"{"create_request":{"key":"YQ==","filters":["NODELETE"]}}"#)

        // "key" is unknown at the top of a txn but a field of its put: only the unknown one is ignored.
        let txn = await self.post("/v3/echo/txn", #"{"key":"YQ==","success":[{"request_put":{"key":"YQ==","value":"Yg=="}}]}"#)
        #expect(txn.body == #"{"success":[{"request_put":{"key":"YQ==","value":"Yg=="}}]}"#)
        let compare = await self.post("/v3/echo/txn", #"{"x":1,"compare":[{"key":"YQ==","target":"VALU","value":"Yg=="}]}"#)
        #expect(compare.body == Self.errorBody("json: unknown value for an enum field", code: 3))
    }

    @Test func serviceErrorsCarryEtcdsCodeTextAndHTTPStatus() async {
        let future = await self.post("/v3/kv/compaction", #"{"revision":"100"}"#)
        #expect(future.status == .badRequest)
        #expect(future.body == Self.errorBody("etcdserver: mvcc: required revision is a future revision", code: 11))

        let missing = await self.post("/v3/lease/revoke", #"{"ID":"5"}"#)
        #expect(missing.status == .notFound)
        #expect(missing.body == Self.errorBody("etcdserver: requested lease not found", code: 5))

        let broken = await self.post("/v3/broken", "{}")
        #expect(broken.status == .internalServerError)
        #expect(broken.body == Self.errorBody("Service method threw an unknown error.", code: 2))

        let unreadable = await self.post("/v3/lease/revoke", "{")
        #expect(unreadable.status == .badRequest)
    }

    @Test func stringsAreEscapedAsGoEscapesThem() async {
        let answer = await self.post("/v3/cluster/member/list", "{}")
        let name = #"a\u003cb\u003e\u0026c\u0008\u000c"# + "\u{7f}\u{85}" + #"\u2028\"\\\n\u0001é"#
        #expect(answer.body == #"{"members":[{"ID":"1","name":"\#(name)","isLearner":true}]}"#)
    }

    @Test func pathsAndMethodsOutsideTheGatewayGetGrpcGatewaysPlainAnswers() async {
        let missing = await self.post("/v3/kv/nothing", "{}")
        #expect(missing.status == .notFound)
        #expect(missing.body == "Not Found\n")
        #expect(missing.headers["Content-Type"] == ["text/plain; charset=utf-8"])

        let get = await self.gateway.respond(to: HTTPRequest(method: .GET, uri: "/v3/kv/put"))
        #expect(get.status == .methodNotAllowed)
        #expect(String(buffer: get.body) == "Method Not Allowed\n")

        let beta = await self.post("/v3beta/echo/range", #"{"key":"YQ=="}"#)
        #expect(beta.body == #"{"key":"YQ=="}"#)
        let alpha = await self.post("/v3alpha/echo/range", #"{"key":"YQ=="}"#)
        #expect(alpha.status == .notFound)
    }

    @Test func theGatewayTakesTheV3SubtreesOfARouter() async {
        var router = HTTPRouter()
        VersionEndpoint.register(on: &router)
        self.gateway.register(on: &router)
        let put = await router.respond(to: HTTPRequest(method: .POST, uri: "/v3beta/kv/put", body: ByteBuffer(string: "{}")))
        #expect(put.status == .ok)
        let version = await router.respond(to: HTTPRequest(method: .GET, uri: "/version"))
        #expect(version.status == .ok)
        let other = await router.respond(to: HTTPRequest(method: .POST, uri: "/v3alpha/kv/put"))
        #expect(String(buffer: other.body) == "404 page not found\n")
    }
}
