import GoFormat
import Membership
import Raft

/// The JSON etcd stores in its backend for membership (`members` values, `meta/confState`), written as Go's
/// `encoding/json` writes those structs.
enum EtcdJSON {
    /// A member as etcd's `membership.Member`: `{"id":…,"peerURLs":[…],"isLearner":true,"name":…,
    /// "clientURLs":[…]}`, the last three left out when false or empty.
    static func member(_ member: Member) -> [UInt8] {
        var text = "{\"id\":\(member.id),\"peerURLs\":\(self.strings(member.peerURLs, nullWhenEmpty: true))"
        if member.isLearner { text += ",\"isLearner\":true" }
        if !member.name.isEmpty { text += ",\"name\":\(GoJSON.string(member.name))" }
        if !member.clientURLs.isEmpty { text += ",\"clientURLs\":\(self.strings(member.clientURLs, nullWhenEmpty: false))" }
        return Array((text + "}").utf8)
    }

    /// Raft's configuration as etcd 3.5 keeps it in `meta/confState`: `{"voters":[…],"learners":[…],
    /// "auto_leave":false}`, empty lists left out.
    static func confState(_ state: ConfState) -> [UInt8] {
        var text = "{"
        if !state.voters.isEmpty { text += "\"voters\":[\(state.voters.map { String($0) }.joined(separator: ","))]," }
        if !state.learners.isEmpty { text += "\"learners\":[\(state.learners.map { String($0) }.joined(separator: ","))]," }
        return Array((text + "\"auto_leave\":false}").utf8)
    }

    private static func strings(_ values: [String], nullWhenEmpty: Bool) -> String {
        if values.isEmpty && nullWhenEmpty { return "null" }
        return "[" + values.map { GoJSON.string($0) }.joined(separator: ",") + "]"
    }
}
