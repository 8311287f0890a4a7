import GoFormat

/// help: cobra's help command. `etcdctl help <command path>` prints that command's help; words that name
/// no command print the root's usage after an "Unknown help topic" line on standard error.
enum HelpCommand {
    static let help: Command = Command(
        "help [command]", "Help about any command",
        long: "Help provides help for any command in the application.\nSimply type etcdctl help [path to command] for full details."
    ) { invocation in
        let parser = CommandLineParser(root: Etcdctl.root, globalFlags: Etcdctl.globalFlags)
        let path = parser.pathForUsage(invocation.arguments)
        if path.count == 1 && !invocation.arguments.isEmpty {
            let topics = invocation.arguments.map(Self.backquoted).joined(separator: " ")
            invocation.console.error("Unknown help topic [\(topics)]\n")
            invocation.console.out(Usage.text(for: path, globalFlags: Etcdctl.globalFlags, helpFlag: false))
        } else {
            invocation.console.out(Usage.text(for: path, globalFlags: Etcdctl.globalFlags))
        }
    }

    /// Go's `%#q` of a string: in backquotes when it can be, else double-quoted with escapes.
    static func backquoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0 != "`" && $0.value != 0x7F && $0 != "\u{FEFF}") }
        return plain ? "`\(text)`" : GoQuote.quote(text)
    }
}
