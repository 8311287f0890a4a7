import EtcdProto
import Foundation

extension Options {
    /// The put of `key` this load sends.
    func put(_ key: Data) -> Etcdserverpb_PutRequest {
        var request = Etcdserverpb_PutRequest()
        request.key = key
        request.value = self.value(for: key)
        return request
    }

    /// The range of `key` this load sends.
    func range(_ key: Data) -> Etcdserverpb_RangeRequest {
        var request = Etcdserverpb_RangeRequest()
        request.key = key
        request.serializable = self.serializable
        return request
    }

    /// The Authenticate request of `--user name:password`.
    func authenticate() -> Etcdserverpb_AuthenticateRequest {
        let parts = (self.user ?? "").split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var request = Etcdserverpb_AuthenticateRequest()
        request.name = String(parts[0])
        request.password = parts.count > 1 ? String(parts[1]) : ""
        return request
    }

    /// The value put at `key`: `--value-size` bytes of `v`, or with `--json-values` a JSON-like document of
    /// about that size whose fields and words follow from the key (so a re-run writes the same data).
    func value(for key: Data) -> Data {
        guard self.jsonValues else { return Data(repeating: UInt8(ascii: "v"), count: self.valueSize) }
        var seed = key.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let user = next(1_000_000)
        var text = "{\"id\":\"\(key.map { String(format: "%02x", $0) }.joined())\",\"user\":\"user-\(user)\","
        text += "\"email\":\"user\(user)@example.org\",\"created\":\"2026-\(10 + next(3))-\(10 + next(18))T\(10 + next(13)):\(10 + next(49)):00Z\","
        text += "\"score\":\(next(100_000)).\(next(100)),\"active\":\(next(2) == 0),\"region\":\"\(Self.regions[next(Self.regions.count)])\","
        text += "\"tags\":[\"\(Self.words[next(Self.words.count)])\",\"\(Self.words[next(Self.words.count)])\"],\"note\":\""
        while text.utf8.count < self.valueSize - 2 {
            text += Self.words[next(Self.words.count)] + " "
        }
        return Data((text + "\"}").utf8)
    }

    private static let regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1", "sa-east-1"]
    private static let words = [
        "order", "shipped", "pending", "invoice", "customer", "account", "balance", "payment", "refund", "address",
        "delivery", "warehouse", "priority", "standard", "express", "returned", "cancelled", "confirmed", "tracking",
        "number", "item", "quantity", "price", "discount", "coupon", "session", "device", "mobile", "desktop", "region",
        "latency", "request", "response", "timeout", "retry", "cache", "hit", "miss", "error", "warning", "info",
    ]
}
