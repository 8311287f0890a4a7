import EtcdProto
import Foundation

/// A role's permission on part of the key space, as etcd stores it (`authpb.Permission`): READ, WRITE or
/// READWRITE on one key (empty `rangeEnd`), on `[key, rangeEnd)`, or on every key from `key` on
/// (`rangeEnd` = `[0x00]`).
public struct Permission: Sendable, Hashable {
    /// What a permission allows, with etcd's enum numbers.
    public enum Kind: Int, Sendable, Hashable, CaseIterable {
        case read = 0
        case write = 1
        case readWrite = 2

        /// Whether this kind allows reading, or writing.
        public func allows(_ access: Access) -> Bool {
            switch (self, access) {
            case (.readWrite, _), (.read, .read), (.write, .write): return true
            default: return false
            }
        }
    }

    public var kind: Kind
    public var key: [UInt8]
    public var rangeEnd: [UInt8]

    public init(_ kind: Kind, key: [UInt8], rangeEnd: [UInt8] = []) {
        self.kind = kind
        self.key = key
        self.rangeEnd = rangeEnd
    }

    /// The permission a wire `authpb.Permission` carries; nil for a type etcd does not have.
    public init?(wire: Authpb_Permission) {
        guard let kind = Kind(rawValue: wire.permType.rawValue) else { return nil }
        self.init(kind, key: [UInt8](wire.key), rangeEnd: [UInt8](wire.rangeEnd))
    }

    /// The permission as `authpb.Permission`, as etcd stores and answers it.
    public var wire: Authpb_Permission {
        var wire = Authpb_Permission()
        wire.permType = Authpb_Permission.TypeEnum(rawValue: self.kind.rawValue) ?? .read
        wire.key = Data(self.key)
        wire.rangeEnd = Data(self.rangeEnd)
        return wire
    }

    /// The keys the permission covers, as an interval.
    public var keys: KeyInterval { KeyInterval(key: self.key, rangeEnd: self.rangeEnd) }
}

/// What a request needs on a range of keys.
public enum Access: Sendable, Hashable {
    case read
    case write
}
