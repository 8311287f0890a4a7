import Foundation

// Drives etcd members with put or range requests and prints one line of results; see Options for the flags.
let options: Options
do {
    options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("LoadGenerator: \(error)\n".utf8))
    exit(2)
}
switch options.operation {
case .paced:
    print(try await Paced.run(options))
case .scrape:
    let line = try await Connections.with(count: options.connections, spreadOver: [options.endpoints[0]]) { connections in
        try await Scrape.run(options, on: connections)
    }
    print(line)
case .put, .range, .authenticate:
    let targets = options.operation == .put ? [try await Connections.leader(among: options.endpoints)] : options.endpoints
    let summary: Summary
    if options.library {
        summary = try await LibraryLoad.run(options, on: targets[0])
    } else {
        summary = try await Connections.with(count: options.connections, spreadOver: targets) { connections in
            try await Load.run(options, on: connections)
        }
    }
    print(summary.line + (options.library ? " client=library" : " client=grpc"))
}
