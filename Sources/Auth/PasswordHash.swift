import CCrypt
import EtcdProto
import Foundation

/// bcrypt password hashes as etcd stores them: the 60-character `$2a$<cost>$…` text Go's x/crypto makes,
/// computed and verified with the system's libxcrypt (which reads Go's `$2a$` hashes and writes them).
/// Hashing costs tens of milliseconds at cost 10: callers run it off the event loop.
public enum PasswordHash {
    /// etcd's default `--bcrypt-cost`.
    public static let defaultCost = 10
    /// The costs bcrypt accepts; etcd replaces any other `--bcrypt-cost` by 10, with a warning.
    public static let costs = 4...31

    /// Hashes `password` with a fresh random salt at `cost`.
    public static func make(_ password: String, cost: Int = Self.defaultCost) throws(EtcdError) -> [UInt8] {
        var salt = [UInt8](repeating: 0, count: 16)
        for index in salt.indices { salt[index] = UInt8.random(in: 0...255) }
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let made = salt.withUnsafeBufferPointer { random in
            crypt_gensalt_rn("$2a$", UInt(cost), random.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                             Int32(random.count), &setting, Int32(setting.count))
        }
        guard made != nil else {
            throw EtcdError(.internalError, "etcdserver: cannot make a bcrypt salt of cost \(cost): \(String(cString: strerror(errno)))")
        }
        return try Self.crypt(password, setting: setting)
    }

    /// True when `password` hashes to `hash` (a bcrypt text; anything else never matches).
    public static func matches(_ password: String, hash: [UInt8]) -> Bool {
        guard hash.count == 60, hash.starts(with: Array("$2".utf8)) else { return false }
        let setting = hash.map { CChar(bitPattern: $0) } + [0]
        guard let computed = try? Self.crypt(password, setting: setting) else { return false }
        return Self.constantTimeEqual(computed, hash)
    }

    private static func crypt(_ password: String, setting: [CChar]) throws(EtcdError) -> [UInt8] {
        var data = crypt_data()
        let result = withUnsafeMutablePointer(to: &data) { pointer in
            crypt_rn(password, setting, pointer, Int32(MemoryLayout<crypt_data>.size)).map { String(cString: $0) }
        }
        guard let result, result.hasPrefix("$2") else {
            throw EtcdError(.internalError, "etcdserver: bcrypt failed: \(String(cString: strerror(errno)))")
        }
        return Array(result.utf8)
    }

    private static func constantTimeEqual(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        guard first.count == second.count else { return false }
        return zip(first, second).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
