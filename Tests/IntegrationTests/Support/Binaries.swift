import Foundation

/// Finds the programs the tests run: ours beside the test bundle (same build configuration), and the
/// Debian tools on the PATH.
enum Binaries {
    /// The build products directory that holds this test bundle and the executables built with it.
    static let productsDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["ETCD_SWIFT_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("etcd").path) { return url }
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }()

    static var etcd: URL { productsDirectory.appendingPathComponent("etcd") }
    static var etcdctl: URL { productsDirectory.appendingPathComponent("etcdctl") }
    static var etcdOps: URL { productsDirectory.appendingPathComponent("etcd-ops") }
    /// The member with its crash points armed from `CRASH_POINT` (the shipped `etcd` ignores the variable).
    static var etcdCrashChild: URL { productsDirectory.appendingPathComponent("EtcdCrashChild") }

    /// A tool from the system, e.g. Debian's `etcdctl` 3.4 at `/usr/bin/etcdctl`.
    static func system(_ name: String) throws -> URL {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw MissingTool(name: name)
    }

    struct MissingTool: Error, CustomStringConvertible {
        let name: String
        var description: String {
            "\(name) is not installed; .ci/run installs it (Debian package etcd-client for etcdctl)"
        }
    }
}
