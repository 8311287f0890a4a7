// The `etcd` member with its crash points armed: the process the member crash tests start. It takes the
// same flags and variables as `etcd` and, unlike the shipped binary, honours `CRASH_POINT` (see
// `CrashPoint`), aborting at the named point of the WAL, the snapshot install or the log compaction.
import EtcdMain
import Foundation
import Glibc
import WAL

var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
CrashPoint.armFromEnvironment()
exit(await EtcdCommand.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
