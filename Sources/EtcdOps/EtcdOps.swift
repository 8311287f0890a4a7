import ArgumentParser
import Foundation

/// etcd-ops as a library: the `etcd-ops` program and the image's multi-call binary both run it.
public enum EtcdOps {
    /// Runs one command line and returns its exit code (README, "etcd-ops"). `ETCDCTL_*` and `ETCD_OPS_*`
    /// variables become flags first; a flag on the command line wins.
    public static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        let arguments = EnvironmentFlags.apply(environment, to: arguments)
        do {
            var command = try EtcdOpsCommand.parseAsRoot(arguments)
            if var operation = command as? any OpsCommand {
                try await operation.execute()
            } else {
                try command.run()
            }
            return 0
        } catch {
            return Self.report(error)
        }
    }

    /// Prints what ArgumentParser makes of `error` (help and version on standard output, the rest on standard
    /// error) and returns its exit code.
    private static func report(_ error: any Error) -> Int32 {
        let code = EtcdOpsCommand.exitCode(for: error)
        let message = EtcdOpsCommand.fullMessage(for: error)
        if !message.isEmpty {
            if code == .success {
                Output.line(message)
            } else {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
        }
        return code.rawValue
    }
}
