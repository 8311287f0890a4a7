// The `etcd` member with its crash points armed: the process the member crash tests start. It takes the
// same flags and variables as `etcd` and, unlike the shipped binary, honours `CRASH_POINT` (see
// `CrashPoint`), aborting at the named point of the WAL, the snapshot install or the log compaction.
// Run under the name `etcd-ops` it is the operations tool, armed the same way (a member replacement's steps).
import EtcdMain
import EtcdOps
import Foundation
import Glibc
import WAL

var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
CrashPoint.armFromEnvironment()
let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
if CommandLine.arguments.first?.split(separator: "/").last == "etcd-ops" {
    exit(await EtcdOps.run(arguments: arguments, environment: environment))
}
exit(await EtcdCommand.run(arguments: arguments, environment: environment))
