import EtcdClient
import Foundation
import GoFormat

/// `process_resident_memory_bytes` of a member, read from its `/metrics`, as `check datascale` reads it.
/// Failures are reported in etcdctl's words and give nil.
enum ResidentMemory {
    static let metricName = "process_resident_memory_bytes"

    /// The member's resident memory in bytes, or nil after printing why it could not be read; an
    /// `https://` endpoint is read with the client's TLS settings.
    static func read(endpoint: String, tls: ClientTLS?, console: Console) -> Double? {
        let body: String
        do {
            body = try MemberHTTP.get(endpoint: endpoint, path: "/metrics", tls: tls)
        } catch {
            let url = (endpoint.contains("://") ? endpoint : "http://" + endpoint) + "/metrics"
            console.line("fetch error: Get \(GoQuote.quote(url)): \(error)")
            return nil
        }
        guard let line = body.split(separator: "\n").first(where: { $0.hasPrefix(self.metricName) }) else {
            console.line("could not find: \(self.metricName)")
            return nil
        }
        let value = line.dropFirst(self.metricName.count).trimmingCharacters(in: .whitespaces)
        guard let bytes = Double(value) else {
            console.line("parse error: strconv.ParseFloat: parsing \(GoQuote.quote(value)): invalid syntax")
            return nil
        }
        return bytes
    }
}
