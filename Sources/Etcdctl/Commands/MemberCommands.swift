import EtcdClient
import EtcdProto
import GoFormat

/// member add, remove, update, list and promote.
enum MemberCommands {
    static let member = Command(
        "member <subcommand>", "Membership related commands",
        subcommands: [add, remove, update, list, promote]
    )

    /// A member id argument (hexadecimal), or etcdctl's refusal.
    static func memberID(_ arguments: [String]) throws(CommandError) -> UInt64 {
        guard arguments.count == 1 else { throw CommandError(.badArgs, "member ID is not provided") }
        guard let id = UInt64(arguments[0], radix: 16) else {
            throw CommandError(.badArgs, "bad member ID arg (strconv.ParseUint: parsing \(GoQuote.quote(arguments[0])): invalid syntax), expecting ID in Hex")
        }
        return id
    }

    static let add = Command(
        "add <memberName> [options]", "Adds a member into the cluster",
        flags: [
            Flag("peer-urls", .string, "", "comma separated peer URLs for the new member."),
            Flag("learner", .bool, "false", "indicates if the new member is raft learner"),
        ]
    ) { invocation in
        let arguments = invocation.arguments
        guard !arguments.isEmpty else { throw CommandError(.badArgs, "member name not provided") }
        if arguments.count > 1 {
            var message = "too many arguments"
            for argument in arguments where argument.lowercased().hasPrefix("http") {
                message += ", did you mean --peer-urls=\(argument)"
            }
            throw CommandError(.badArgs, message)
        }
        let name = arguments[0]
        let peerURLs = invocation.string("peer-urls")
        guard !peerURLs.isEmpty else { throw CommandError(.badArgs, "member peer urls not provided") }
        let urls = peerURLs.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let learner = invocation.bool("learner")
        let response = try await invocation.run { client in
            try await client.memberAdd(peerURLs: urls, isLearner: learner, timeout: invocation.commandTimeout)
        }
        try invocation.printer.memberChanged("added to", id: response.member.id, clusterID: response.header.clusterID, response: response)
        guard invocation.printer.format == .simple else { return }
        var cluster: [String] = []
        for member in response.members {
            for url in member.peerUrls { cluster.append("\(member.id == response.member.id ? name : member.name)=\(url)") }
        }
        invocation.console.out("\nETCD_NAME=\(GoQuote.quote(name))\n")
        invocation.console.out("ETCD_INITIAL_CLUSTER=\(GoQuote.quote(cluster.joined(separator: ",")))\n")
        invocation.console.out("ETCD_INITIAL_ADVERTISE_PEER_URLS=\(GoQuote.quote(peerURLs))\n")
        invocation.console.out("ETCD_INITIAL_CLUSTER_STATE=\"existing\"\n")
    }

    static let remove = Command("remove <memberID>", "Removes a member from the cluster") { invocation in
        let id = try memberID(invocation.arguments)
        let response = try await invocation.run { client in try await client.memberRemove(id, timeout: invocation.commandTimeout) }
        try invocation.printer.memberChanged("removed from", id: id, clusterID: response.header.clusterID, response: response)
    }

    static let update = Command(
        "update <memberID> [options]", "Updates a member in the cluster",
        flags: [Flag("peer-urls", .string, "", "comma separated peer URLs for the updated member.")]
    ) { invocation in
        let id = try memberID(invocation.arguments)
        let peerURLs = invocation.string("peer-urls")
        guard !peerURLs.isEmpty else { throw CommandError(.badArgs, "member peer urls not provided") }
        let urls = peerURLs.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let response = try await invocation.run { client in
            try await client.memberUpdate(id, peerURLs: urls, timeout: invocation.commandTimeout)
        }
        try invocation.printer.memberChanged("updated in", id: id, clusterID: response.header.clusterID, response: response)
    }

    static let list = Command(
        "list", "Lists all members in the cluster",
        long: """
            When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.
            The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.

            """
    ) { invocation in
        let response = try await invocation.run { client in try await client.memberList(linearizable: true, timeout: invocation.commandTimeout) }
        try invocation.printer.memberList(response)
    }

    static let promote = Command(
        "promote <memberID>", "Promotes a non-voting member in the cluster",
        long: """
            Promotes a non-voting learner member to a voting one in the cluster.

            """
    ) { invocation in
        let id = try memberID(invocation.arguments)
        let response = try await invocation.run { client in try await client.memberPromote(id, timeout: invocation.commandTimeout) }
        try invocation.printer.memberChanged("promoted in", id: id, clusterID: response.header.clusterID, response: response)
    }
}
