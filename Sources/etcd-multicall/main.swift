import EtcdMain
import EtcdOps
import Etcdctl
import Foundation

// The program runs as what the last component of its name says: `etcdctl`, `etcd-ops`, and otherwise `etcd`
// (the image installs it as /usr/local/bin/etcd and links the other two names to it).
let arguments = Array(CommandLine.arguments.dropFirst())
let environment = ProcessInfo.processInfo.environment
let name = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "etcd"
switch name {
case "etcdctl":
    exit(await Etcdctl.run(arguments: arguments, environment: environment))
case "etcd-ops":
    exit(await EtcdOps.run(arguments: arguments, environment: environment))
default:
    exit(await EtcdCommand.run(arguments: arguments, environment: environment))
}
