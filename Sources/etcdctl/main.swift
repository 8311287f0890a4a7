import EtcdProto
import Foundation

/// etcdctl's entry point. Commands beyond `version` come with the client library.
let arguments = Array(CommandLine.arguments.dropFirst())

let versionText = """
    etcdctl version: \(EtcdVersion.server)
    API version: \(EtcdVersion.api)
    """

let helpText = """
    NAME:
    \tetcdctl - A simple command line client for etcd3.

    USAGE:
    \tetcdctl [flags] <command>

    VERSION:
    \t\(EtcdVersion.server)

    API VERSION:
    \t\(EtcdVersion.api)

    COMMANDS:
    \thelp\tHelp about any command
    \tversion\tPrints the version of etcdctl

    OPTIONS:
    \t-h, --help\thelp for etcdctl
    \t    --version\tprint the version and exit
    """

switch arguments.first {
case nil, "help", "-h", "--help":
    print(helpText)
case "version", "--version":
    print(versionText)
case let command?:
    FileHandle.standardError.write(Data("Error: unknown command \"\(command)\" for \"etcdctl\"\n".utf8))
    exit(1)
}
