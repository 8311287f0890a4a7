import Etcdctl
import Foundation

exit(await Etcdctl.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
