import EtcdProto
import Foundation
import GoFormat
import SwiftProtobuf

/// What the member, endpoint, alarm and move-leader commands print.
extension Printer {
    /// The row of one member, as etcdctl's member table and simple output make it.
    static func memberRow(_ member: Etcdserverpb_Member) -> [String] {
        [
            String(member.id, radix: 16), member.name.isEmpty ? "unstarted" : "started", member.name,
            member.peerUrls.joined(separator: ","), member.clientUrls.joined(separator: ","), member.isLearner ? "true" : "false",
        ]
    }

    func memberList(_ response: Etcdserverpb_MemberListResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            for member in response.members { self.console.out(Self.memberRow(member).joined(separator: ", ") + "\n") }
        case .fields:
            self.fieldsHeader(response.header)
            for member in response.members {
                self.console.out("\"ID\" : \(member.id)\n\"Name\" : \(GoQuote.quote(member.name))\n")
                for url in member.peerUrls { self.console.out("\"PeerURL\" : \(GoQuote.quote(url))\n") }
                for url in member.clientUrls { self.console.out("\"ClientURL\" : \(GoQuote.quote(url))\n") }
                self.console.out("\"IsLearner\" : \(member.isLearner)\n\n")
            }
        case .json:
            if self.hex { self.console.out(Self.hexMemberList(response) + "\n") } else { self.json(response) }
        case .protobuf: self.protobuf(response)
        case .table:
            self.console.out(TableWriter.render(
                header: ["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"],
                rows: response.members.map(Self.memberRow)
            ))
        }
    }

    /// etcdctl's `-w json --hex` member list (written by hand in Go, with its quirks: a hex raft term
    /// without quotes and `clientURLS`).
    private static func hexMemberList(_ response: Etcdserverpb_MemberListResponse) -> String {
        var text = "{\"header\":{\"cluster_id\":\"\(String(response.header.clusterID, radix: 16))\",\"member_id\":\"\(String(response.header.memberID, radix: 16))\",\"raft_term\":\(String(response.header.raftTerm, radix: 16))}"
        for (index, member) in response.members.enumerated() {
            text += index == 0 ? ",\"members\":[{\"ID\":\"" : ",{\"ID\":\""
            text += String(member.id, radix: 16) + "\",\"name\":\"" + member.name + "\",\"peerURLs\":"
            text += self.stringArray(member.peerUrls) + ",\"clientURLS\":" + self.stringArray(member.clientUrls) + "}"
            if index == response.members.count - 1 { text += "]" }
        }
        return text + "}"
    }

    private static func stringArray(_ strings: [String]) -> String {
        strings.isEmpty ? "null" : GoJSON.array(strings.map(GoJSON.string))
    }

    func memberChanged(_ verb: String, id: UInt64, clusterID: UInt64, response: some GoJSONMessageConvertible) throws(CommandError) {
        switch self.format {
        case .simple: self.console.out("Member \(Self.spaced16(id)) \(verb) cluster \(Self.spaced16(clusterID))\n")
        case .json: self.console.out(response.goJSON + "\n")
        case .protobuf: self.console.out(bytes: response.protobufBytes)
        case .fields, .table: throw self.unsupported()
        }
    }

    func alarms(_ response: Etcdserverpb_AlarmResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            for alarm in response.alarms { self.console.out(alarm.compactText + "\n") }
        case .fields:
            self.fieldsHeader(response.header)
            for alarm in response.alarms { self.console.out("\"MemberID\" : \(alarm.memberID)\n\"AlarmType\" : \(alarm.alarm.etcdName)\n\n") }
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    func moveLeader(from leader: UInt64, to target: UInt64, _ response: Etcdserverpb_MoveLeaderResponse) throws(CommandError) {
        switch self.format {
        case .simple: self.console.out("Leadership transferred from \(String(leader, radix: 16)) to \(String(target, radix: 16))\n")
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .fields, .table: throw self.unsupported()
        }
    }
}

/// A response the member commands print in json and protobuf.
protocol GoJSONMessageConvertible {
    var goJSON: String { get }
    var protobufBytes: [UInt8] { get }
}

extension GoJSONMessageConvertible where Self: SwiftProtobuf.Message & GoJSONNamed {
    var goJSON: String { GoJSONMessage.encode(self) }
    var protobufBytes: [UInt8] { (try? self.serializedBytes()) ?? [] }
}

extension Etcdserverpb_MemberAddResponse: GoJSONMessageConvertible {}
extension Etcdserverpb_MemberRemoveResponse: GoJSONMessageConvertible {}
extension Etcdserverpb_MemberUpdateResponse: GoJSONMessageConvertible {}
extension Etcdserverpb_MemberPromoteResponse: GoJSONMessageConvertible {}
