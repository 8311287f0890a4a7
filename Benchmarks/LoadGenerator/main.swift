import Foundation

// Drives etcd members with put or range requests and prints one line of results; see Options for the flags.
let options: Options
do {
    options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("LoadGenerator: \(error)\n".utf8))
    exit(2)
}
let targets = options.operation == .put ? [try await Connections.leader(among: options.endpoints)] : options.endpoints
let summary = try await Connections.with(count: options.connections, spreadOver: targets) { connections in
    try await Load.run(options, on: connections)
}
print(summary.line)
