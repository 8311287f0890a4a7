import Foundation
import GoFormat
import Logging

/// The log lines offline commands (snapshot restore) print on standard error, in the shape of etcdutl's
/// zap console encoder: RFC 3339 time, level, message, then the fields as one JSON object.
struct ConsoleLog: LogHandler {
    let console: Console
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    /// A logger writing to `console`'s standard error.
    static func logger(_ console: Console) -> Logger {
        Logger(label: "etcdctl") { _ in ConsoleLog(console: console) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        let time = ISO8601DateFormatter().string(from: Date())
        var line = "\(time)\t\(event.level == .warning ? "warn" : event.level.rawValue)\t\(event.message)"
        if !fields.isEmpty {
            line += "\t" + GoJSON.object(fields.sorted { $0.key < $1.key }.map { ($0.key, GoJSON.string("\($0.value)")) })
        }
        self.console.error(line + "\n")
    }
}
