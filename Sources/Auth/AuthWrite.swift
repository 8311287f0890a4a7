/// One change an auth operation makes to the backend, in etcd's buckets and encodings: the member applies
/// them in the same batch as the operation's log entry.
public struct AuthWrite: Sendable, Hashable {
    /// etcd's auth buckets.
    public enum Bucket: String, Sendable, Hashable {
        case auth
        case users = "authUsers"
        case roles = "authRoles"
    }

    public var bucket: Bucket
    public var key: [UInt8]
    /// The new value; nil deletes the key.
    public var value: [UInt8]?

    public init(_ bucket: Bucket, key: [UInt8], value: [UInt8]?) {
        self.bucket = bucket
        self.key = key
        self.value = value
    }

    /// `auth/authEnabled`: one byte, 1 or 0.
    static func enabled(_ enabled: Bool) -> AuthWrite {
        AuthWrite(.auth, key: Array("authEnabled".utf8), value: [enabled ? 1 : 0])
    }

    /// `auth/authRevision`: eight bytes, big-endian.
    static func revision(_ revision: UInt64) -> AuthWrite {
        AuthWrite(.auth, key: Array("authRevision".utf8), value: (0..<8).map { UInt8(truncatingIfNeeded: revision >> (56 - 8 * UInt64($0))) })
    }
}
