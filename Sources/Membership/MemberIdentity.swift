import Crypto

/// How etcd derives member and cluster ids, so that the same flags give the same ids as Go etcd and
/// ids stay stable across restarts.
public enum MemberIdentity {
    /// A member's id: the first 8 bytes (big-endian) of SHA-1 over its sorted peer URLs concatenated, the
    /// cluster token, and — for members added at runtime — the Unix time of the addition in decimal.
    public static func memberID(peerURLs: [String], clusterToken: String, addedAtUnixSeconds: Int64? = nil) -> UInt64 {
        var bytes: [UInt8] = []
        for url in peerURLs.sorted() { bytes += Array(url.utf8) }
        bytes += Array(clusterToken.utf8)
        if let seconds = addedAtUnixSeconds { bytes += Array(String(seconds).utf8) }
        return firstEightBytes(of: bytes)
    }

    /// A cluster's id: the first 8 bytes (big-endian) of SHA-1 over its initial members' ids, sorted,
    /// each as 8 big-endian bytes.
    public static func clusterID(memberIDs: [UInt64]) -> UInt64 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(memberIDs.count * 8)
        for id in memberIDs.sorted() {
            withUnsafeBytes(of: id.bigEndian) { bytes += $0 }
        }
        return firstEightBytes(of: bytes)
    }

    /// An id as etcd prints it: lower-case hexadecimal without leading zeros.
    public static func hex(_ id: UInt64) -> String {
        String(id, radix: 16)
    }

    private static func firstEightBytes(of bytes: [UInt8]) -> UInt64 {
        let digest = Insecure.SHA1.hash(data: bytes)
        return digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
