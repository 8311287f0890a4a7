import EtcdServer
import Foundation
import Telemetry

/// `GET /debug/vars`, as etcd serves Go's expvar page on its client URLs: `cmdline` (the member's
/// arguments), `file_descriptor_limit` (the soft `RLIMIT_NOFILE`) and `raft.status` (Raft's status in
/// etcd's JSON, `null` once the Raft loop has stopped). Go's `memstats` describe Go's runtime and are left out.
public enum DebugVarsEndpoint {
    /// Registers the endpoint on `router`, reading Raft's status from `server`.
    public static func register(on router: inout HTTPRouter, server: EtcdServer) {
        router.add("/debug/vars", methods: [.GET]) { _ in
            let arguments = CommandLine.arguments.map { JSONText.quoted($0) }.joined(separator: ",")
            var limit = rlimit()
            let descriptors = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? "\(limit.rlim_cur)" : "0"
            let raft = await server.raftStatusJSON() ?? "null"
            let vars = [("cmdline", "[\(arguments)]"), ("file_descriptor_limit", descriptors), ("raft.status", raft)]
            let body = "{\n" + vars.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
            return HTTPResponse(status: .ok, contentType: "application/json; charset=utf-8", body: body)
        }
    }
}
