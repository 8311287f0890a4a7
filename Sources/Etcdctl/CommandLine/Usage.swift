import EtcdProto
import Foundation
import GoFormat

/// etcdctl's help text (cobrautl's usage template): name, usage line, version for the root, the
/// subcommands, the description, and the command's own and the global options, aligned as Go's
/// tabwriter aligns them.
enum Usage {
    /// The help of the last command of `path`; `helpFlag` false leaves out its `-h` line (cobra adds the
    /// flag only to a command whose help was asked for by name).
    static func text(for path: [Command], globalFlags: [Flag], helpFlag: Bool = true) -> String {
        let command = path.last!
        let isRoot = path.count == 1
        let name = path.dropFirst().map(\.name).joined(separator: " ")
        var text = "NAME:\n"
        text += isRoot ? "\t\(command.name) - \(command.short)\n" : "\t\(name) - \(command.short)\n"
        text += "\nUSAGE:\n\t\(Self.useLine(path))\n"
        if isRoot { text += "\nVERSION:\n\t\(EtcdVersion.server)\n" }
        if !command.subcommands.isEmpty {
            text += "\nAPI VERSION:\n\t\(EtcdVersion.api)\n"
            text += "\n\nCOMMANDS:\n"
            for (subcommand, subpath) in Self.descendants(of: command) where subcommand.action != nil {
                text += "\t\(subpath)\t\(subcommand.short)\n"
            }
        }
        if let long = command.long {
            text += "\nDESCRIPTION:\n"
            for line in long.trimmingCharacters(in: .init(charactersIn: "\n\t ")).split(separator: "\n", omittingEmptySubsequences: false) {
                text += "\t\(line)\n"
            }
        }
        let local = command.flags + (helpFlag ? [CommandLineParser.help(for: command)] : [])
        text += "\nOPTIONS:\n" + Self.flagLines(isRoot ? local + globalFlags : local)
        if !isRoot { text += "\nGLOBAL OPTIONS:\n" + Self.flagLines(globalFlags) }
        return GoTabWriter.format(text + "\n")
    }

    /// cobra's `UseLine`: the parents' names and the command's use, with ` [flags]` when it has flags.
    private static func useLine(_ path: [Command]) -> String {
        let parents = path.dropLast().map(\.name)
        let use = (parents + [path.last!.use]).joined(separator: " ")
        return use.contains("[flags]") ? use : use + " [flags]"
    }

    /// Every command under `command`, depth first, with its path from `command`.
    private static func descendants(of command: Command) -> [(Command, String)] {
        command.subcommands.sorted { $0.name < $1.name }.flatMap { subcommand in
            [(subcommand, subcommand.name)] + self.descendants(of: subcommand).map { ($0.0, subcommand.name + " " + $0.1) }
        }
    }

    private static func flagLines(_ flags: [Flag]) -> String {
        flags.sorted { $0.name < $1.name }.map { flag in
            let lead = flag.shorthand.map { "  -\($0), --" } ?? "      --"
            return lead + flag.name + flag.usageDefault + "\t" + flag.usage + "\n"
        }.joined()
    }
}
