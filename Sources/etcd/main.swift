import EtcdMain
import Foundation

exit(await EtcdCommand.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
