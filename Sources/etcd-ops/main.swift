import EtcdProto
import Foundation

/// etcd-ops' entry point. Its operations (backup, restore, member replacement, defrag) come with the
/// client library and the maintenance API.
let arguments = Array(CommandLine.arguments.dropFirst())

let helpText = """
    etcd-ops: operations for etcd clusters (backups, restores, member replacement, maintenance).

    Usage:
      etcd-ops <command> [flags]

    Commands:
      version     Print the version of etcd-ops and of the etcd API it speaks.

    Flags:
      -h, --help  Show this help.
      --version   Print the version and exit.
    """

switch arguments.first {
case nil, "help", "-h", "--help":
    print(helpText)
case "version", "--version":
    print("etcd-ops version: \(EtcdVersion.server)\nAPI version: \(EtcdVersion.api)")
case let command?:
    FileHandle.standardError.write(Data("etcd-ops: unknown command \"\(command)\"; see 'etcd-ops --help'\n".utf8))
    exit(1)
}
