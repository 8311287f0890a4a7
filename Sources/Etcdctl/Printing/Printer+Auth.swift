import EtcdClient
import EtcdProto
import Foundation
import GoFormat
import SwiftProtobuf

/// What the user, role and auth commands print: simple lines, the response in json and protobuf, the header
/// (and a role's permissions or the role list) in fields; table is not a format for them.
extension Printer {
    /// A change with nothing to show but a line (`User alice created`) or, in fields, the header.
    func authChanged(_ line: String, header: Etcdserverpb_ResponseHeader, response: some Message & GoJSONNamed) throws(CommandError) {
        switch self.format {
        case .simple: self.console.out(line + "\n")
        case .fields: self.fieldsHeader(header)
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    /// `user get`: the user's roles.
    func userGet(_ name: String, _ response: Etcdserverpb_AuthUserGetResponse) throws(CommandError) {
        switch self.format {
        case .simple: self.console.out("User: \(name)\nRoles:" + response.roles.map { " \($0)" }.joined() + "\n")
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .fields, .table: throw self.unsupported()
        }
    }

    /// `user list`.
    func userList(_ response: Etcdserverpb_AuthUserListResponse) throws(CommandError) {
        switch self.format {
        case .simple: for user in response.users { self.console.out(user + "\n") }
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .fields, .table: throw self.unsupported()
        }
    }

    /// `role get`: the permissions under `KV Read:` and `KV Write:`, a range as `[key, end)`, an open one as
    /// `[key, <open ended>`, with ` (prefix key)` when the end is the key's prefix end.
    func roleGet(_ name: String, _ response: Etcdserverpb_AuthRoleGetResponse) throws(CommandError) {
        switch self.format {
        case .simple:
            var text = Array("Role \(name)\nKV Read:\n".utf8)
            for permission in response.perm where permission.permType == .read || permission.permType == .readwrite {
                text += Self.permissionLine(permission)
            }
            text += Array("KV Write:\n".utf8)
            for permission in response.perm where permission.permType == .write || permission.permType == .readwrite {
                text += Self.permissionLine(permission)
            }
            self.console.out(bytes: text)
        case .fields:
            self.fieldsHeader(response.header)
            for permission in response.perm {
                self.console.out("\"PermType\" :  \(Self.permissionName(permission.permType))\n")
                self.console.out("\"Key\" : \(GoQuote.quote(permission.key))\n")
                self.console.out("\"RangeEnd\" : \(GoQuote.quote(permission.rangeEnd))\n")
            }
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    /// `role list`.
    func roleList(_ response: Etcdserverpb_AuthRoleListResponse) throws(CommandError) {
        switch self.format {
        case .simple: for role in response.roles { self.console.out(role + "\n") }
        case .fields:
            self.fieldsHeader(response.header)
            self.console.out("\"Roles\" :" + response.roles.map { " " + GoQuote.quote($0) }.joined() + "\n")
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .table: throw self.unsupported()
        }
    }

    /// `auth status` (etcd 3.5).
    func authStatus(_ response: Etcdserverpb_AuthStatusResponse) throws(CommandError) {
        switch self.format {
        case .simple: self.console.out("Authentication Status: \(response.enabled)\nAuthRevision: \(response.authRevision)\n")
        case .json: self.json(response)
        case .protobuf: self.protobuf(response)
        case .fields, .table: throw self.unsupported()
        }
    }

    /// One permission as Go prints it, bytes as they are: a TAB, then the key, `[key, end)` or
    /// `[key, <open ended>`, and ` (prefix key)` when the end is the key's prefix end.
    private static func permissionLine(_ permission: Authpb_Permission) -> [UInt8] {
        let key = [UInt8](permission.key)
        let end = [UInt8](permission.rangeEnd)
        guard !end.isEmpty else { return [0x09] + key + [0x0A] }
        var line = [0x09, 0x5B] + key + Array(", ".utf8) + (end == [0] ? Array("<open ended>".utf8) : end + [0x29])
        if end == RangeRequests.prefixEnd(of: key) { line += Array(" (prefix ".utf8) + key + [0x29] }
        return line + [0x0A]
    }

    private static func permissionName(_ type: Authpb_Permission.TypeEnum) -> String {
        switch type {
        case .read: "READ"
        case .write: "WRITE"
        case .readwrite: "READWRITE"
        case .UNRECOGNIZED(let value): "\(value)"
        }
    }
}
