import Foundation

/// Where the programs built with the tests are: the build products directory that holds the running test
/// bundle (so the same build configuration), or `ETCD_SWIFT_BIN_DIR` when set.
public enum BuildProducts {
    /// The directory of the executables built with this test bundle.
    public static let directory: URL = {
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

    /// The built program `name`.
    public static func program(_ name: String) -> URL {
        self.directory.appendingPathComponent(name)
    }
}
