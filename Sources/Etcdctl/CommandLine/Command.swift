/// A command of etcdctl's tree (cobra's): its name and usage, its own flags, its subcommands and what it
/// runs. A command with subcommands and no action only groups them.
struct Command: Sendable {
    let name: String
    /// The usage line after the command's path: `get [options] <key> [range_end]`.
    let use: String
    let short: String
    let long: String?
    let flags: [Flag]
    let subcommands: [Command]
    let action: (@Sendable (Invocation) async throws -> Void)?

    init(
        _ use: String,
        _ short: String,
        long: String? = nil,
        flags: [Flag] = [],
        subcommands: [Command] = [],
        action: (@Sendable (Invocation) async throws -> Void)? = nil
    ) {
        self.name = String(use.prefix { $0 != " " })
        self.use = use
        self.short = short
        self.long = long
        self.flags = flags
        self.subcommands = subcommands
        self.action = action
    }

    /// The subcommand `word` names: exactly, or as the only one it is a prefix of (cobra's prefix
    /// matching, which etcdctl turns on).
    func subcommand(_ word: String) -> Command? {
        if let exact = self.subcommands.first(where: { $0.name == word }) { return exact }
        let matches = self.subcommands.filter { $0.name.hasPrefix(word) }
        return matches.count == 1 ? matches[0] : nil
    }
}
