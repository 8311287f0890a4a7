import EtcdProto
import Foundation
import SwiftProtobuf

/// A user as etcd stores it in `authUsers` (`authpb.User`): name, bcrypt hash (`$2a$…` text; empty for a
/// user without password), roles in byte order, and whether it may log in with a password at all.
public struct AuthUser: Sendable, Hashable {
    public var name: String
    public var passwordHash: [UInt8]
    public var roles: [String]
    public var noPassword: Bool

    public init(name: String, passwordHash: [UInt8], roles: [String] = [], noPassword: Bool = false) {
        self.name = name
        self.passwordHash = passwordHash
        self.roles = roles
        self.noPassword = noPassword
    }

    public var isRoot: Bool { self.roles.contains(AuthStore.root) }

    /// The record's bytes in `authUsers` (options always present, as etcdctl's requests carry them).
    public var encoded: [UInt8] {
        var user = Authpb_User()
        user.name = Data(self.name.utf8)
        user.password = Data(self.passwordHash)
        user.roles = self.roles
        var options = Authpb_UserAddOptions()
        options.noPassword = self.noPassword
        user.options = options
        return Self.serialize(user)
    }

    /// Decodes a record of `authUsers`.
    public init(decoding bytes: [UInt8]) throws(EtcdError) {
        let user: Authpb_User
        do {
            user = try Authpb_User(serializedBytes: bytes)
        } catch {
            throw EtcdError(.dataLoss, "etcdserver: undecodable user record: \(error)")
        }
        self.init(name: String(decoding: user.name, as: UTF8.self), passwordHash: [UInt8](user.password),
                  roles: user.roles.sorted(by: AuthStore.byteOrder), noPassword: user.options.noPassword)
    }

    static func serialize(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            preconditionFailure("a protobuf message without required fields always serializes: \(error)")
        }
    }
}

/// A role as etcd stores it in `authRoles` (`authpb.Role`): name and permissions sorted by key.
public struct AuthRole: Sendable, Hashable {
    public var name: String
    public var permissions: [Permission]

    public init(name: String, permissions: [Permission] = []) {
        self.name = name
        self.permissions = permissions
    }

    /// The record's bytes in `authRoles`.
    public var encoded: [UInt8] {
        var role = Authpb_Role()
        role.name = Data(self.name.utf8)
        role.keyPermission = self.permissions.map(\.wire)
        return AuthUser.serialize(role)
    }

    /// Decodes a record of `authRoles`.
    public init(decoding bytes: [UInt8]) throws(EtcdError) {
        let role: Authpb_Role
        do {
            role = try Authpb_Role(serializedBytes: bytes)
        } catch {
            throw EtcdError(.dataLoss, "etcdserver: undecodable role record: \(error)")
        }
        var permissions: [Permission] = []
        for wire in role.keyPermission {
            guard let permission = Permission(wire: wire) else {
                throw EtcdError(.dataLoss, "etcdserver: role \(String(decoding: role.name, as: UTF8.self)) has permission type \(wire.permType.rawValue)")
            }
            permissions.append(permission)
        }
        self.init(name: String(decoding: role.name, as: UTF8.self), permissions: permissions)
    }
}
