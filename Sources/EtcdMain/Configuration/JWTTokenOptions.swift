import Auth
import Foundation
import Membership

/// The options of `--auth-token jwt,…`, as etcd's `jwtOptions` reads them: `sign-method` (required; a
/// golang-jwt name), `pub-key` and `priv-key` (files; PEM keys, or the HMAC secret's raw bytes),
/// `ttl` (a Go duration, default 5m). Unknown keys are kept for a warning, as etcd only warns.
public struct JWTTokenOptions: Sendable {
    /// The provider, with its keys.
    public let tokens: JWTTokens
    /// Option keys etcd does not know, sorted.
    public let unknownKeys: [String]

    static let knownKeys: Set<String> = ["sign-method", "pub-key", "priv-key", "ttl"]

    /// Reads the options and the key files they name. "auth: invalid auth options" for a bad `ttl` or an
    /// unknown or missing `sign-method`, with the file and the reason when a key file cannot be read;
    /// etcd's key errors ("auth: missing key data", …) for keys the method cannot use.
    init(_ options: [String: String]) throws(ConfigurationError) {
        var ttl = JWTTokens.defaultTTL
        if let text = options["ttl"], !text.isEmpty {
            guard let parsed = GoValue.parseDuration(text) else { throw .invalidAuthOptions }
            ttl = parsed
        }
        let publicKey = try Self.read(options["pub-key"], option: "pub-key")
        let privateKey = try Self.read(options["priv-key"], option: "priv-key")
        guard let method = JWTSignMethod(name: options["sign-method"] ?? "") else { throw .invalidAuthOptions }
        do {
            let key = try JWTKey(method: method, privateKey: privateKey, publicKey: publicKey)
            self.tokens = JWTTokens(key: key, ttl: ttl)
        } catch {
            throw ConfigurationError(error.description)
        }
        self.unknownKeys = options.keys.filter { !Self.knownKeys.contains($0) }.sorted()
    }

    /// The bytes of the file `path` names (nil for no or an empty path, as etcd skips those).
    private static func read(_ path: String?, option: String) throws(ConfigurationError) -> [UInt8]? {
        guard let path, !path.isEmpty else { return nil }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Self.unreadable(option, path, String(cString: strerror(errno))) }
        let file = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            return Array(try file.readToEnd() ?? Data())
        } catch {
            throw Self.unreadable(option, path, "\(error.localizedDescription)")
        }
    }

    private static func unreadable(_ option: String, _ path: String, _ reason: String) -> ConfigurationError {
        ConfigurationError("auth: invalid auth options: cannot read the \(option) file \(path): \(reason)")
    }
}
