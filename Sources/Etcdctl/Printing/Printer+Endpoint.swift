import EtcdProto
import Foundation
import GoFormat

/// One endpoint's health, as `endpoint health` measures it.
struct EndpointHealth: Sendable {
    let endpoint: String
    let healthy: Bool
    /// How long the check took, in Go's duration format.
    let took: String
    let error: String
}

/// What the endpoint commands print.
extension Printer {
    func endpointHealth(_ results: [EndpointHealth]) throws(CommandError) {
        switch self.format {
        case .simple:
            for result in results {
                if result.error.isEmpty {
                    self.console.out("\(result.endpoint) is healthy: successfully committed proposal: took = \(result.took)\n")
                } else {
                    self.console.error("\(result.endpoint) is unhealthy: failed to commit proposal: \(result.error)\n")
                }
            }
        case .fields:
            for result in results {
                self.console.out("\"Endpoint\" : \(GoQuote.quote(result.endpoint))\n\"Health\" : \(result.healthy)\n")
                self.console.out("\"Took\" : \(result.took)\n\"Error\" : \(result.error)\n\n")
            }
        case .json:
            self.console.out(GoJSON.array(results.map { result in
                var fields = [("endpoint", GoJSON.string(result.endpoint)), ("health", result.healthy ? "true" : "false"), ("took", GoJSON.string(result.took))]
                if !result.error.isEmpty { fields.append(("error", GoJSON.string(result.error))) }
                return GoJSON.object(fields)
            }) + "\n")
        case .table:
            self.console.out(TableWriter.render(
                header: ["endpoint", "health", "took", "error"],
                rows: results.map { [$0.endpoint, $0.healthy ? "true" : "false", $0.took, $0.error] }
            ))
        case .protobuf: throw self.unsupported()
        }
    }

    func endpointStatus(_ results: [(endpoint: String, status: Etcdserverpb_StatusResponse)]) throws(CommandError) {
        let rows = results.map { endpoint, status in
            [
                endpoint, String(status.header.memberID, radix: 16), status.version, HumanBytes.string(status.dbSize),
                status.leader == status.header.memberID ? "true" : "false", status.isLearner ? "true" : "false",
                "\(status.raftTerm)", "\(status.raftIndex)", "\(status.raftAppliedIndex)", status.errors.joined(separator: ", "),
            ]
        }
        switch self.format {
        case .simple:
            for row in rows { self.console.out(row.joined(separator: ", ") + "\n") }
        case .fields:
            for (endpoint, status) in results {
                self.fieldsHeader(status.header)
                self.console.out("\"Version\" : \(GoQuote.quote(status.version))\n\"DBSize\" : \(status.dbSize)\n")
                self.console.out("\"Leader\" : \(status.leader)\n\"IsLearner\" : \(status.isLearner)\n")
                self.console.out("\"RaftIndex\" : \(status.raftIndex)\n\"RaftTerm\" : \(status.raftTerm)\n")
                self.console.out("\"RaftAppliedIndex\" : \(status.raftAppliedIndex)\n\"Errors\" : [\(status.errors.joined(separator: " "))]\n")
                self.console.out("\"Endpoint\" : \(GoQuote.quote(endpoint))\n\n")
            }
        case .json:
            self.console.out(GoJSON.array(results.map {
                GoJSON.object([("Endpoint", GoJSON.string($0.endpoint)), ("Status", GoJSONMessage.encode($0.status))])
            }) + "\n")
        case .table:
            self.console.out(TableWriter.render(
                header: ["endpoint", "ID", "version", "db size", "is leader", "is learner", "raft term", "raft index", "raft applied index", "errors"],
                rows: rows
            ))
        case .protobuf: throw self.unsupported()
        }
    }

    func endpointHashKV(_ results: [(endpoint: String, hash: Etcdserverpb_HashKVResponse)]) throws(CommandError) {
        switch self.format {
        case .simple:
            for (endpoint, hash) in results { self.console.out("\(endpoint), \(hash.hash)\n") }
        case .fields:
            for (endpoint, hash) in results {
                self.fieldsHeader(hash.header)
                self.console.out("\"Endpoint\" : \(GoQuote.quote(endpoint))\n\"Hash\" : \(hash.hash)\n\n")
            }
        case .json:
            self.console.out(GoJSON.array(results.map {
                GoJSON.object([("Endpoint", GoJSON.string($0.endpoint)), ("HashKV", GoJSONMessage.encode($0.hash))])
            }) + "\n")
        case .table:
            self.console.out(TableWriter.render(header: ["endpoint", "hash"], rows: results.map { [$0.endpoint, "\($0.hash.hash)"] }))
        case .protobuf: throw self.unsupported()
        }
    }
}
