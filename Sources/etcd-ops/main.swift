import EtcdOps
import Foundation

exit(await EtcdOps.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
