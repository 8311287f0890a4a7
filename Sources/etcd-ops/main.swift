import ArgumentParser
import Foundation

// etcd-ops' entry point: `ETCDCTL_*` and `ETCD_OPS_*` variables become flags (a flag on the command line
// wins), then the command runs. Exit codes are OpsError.Kind's (README, "etcd-ops").
let arguments = EnvironmentFlags.apply(ProcessInfo.processInfo.environment, to: Array(CommandLine.arguments.dropFirst()))
do {
    var command = try EtcdOpsCommand.parseAsRoot(arguments)
    if var operation = command as? any OpsCommand {
        try await operation.execute()
    } else {
        try command.run()
    }
} catch {
    EtcdOpsCommand.exit(withError: error)
}
