import Glibc
import Logging
import Synchronization

/// Writes one JSON object per line in the shape of etcd's zap logger, so log pipelines built for etcd
/// (`jq`, Loki, fluent-bit parsers) read ours unchanged:
/// `{"level":"info","ts":"2026-11-22T21:40:01.123Z","caller":"EtcdMain/Member.swift:42","msg":"...","key":"value"}`.
///
/// Each line is written with a single `write(2)`, under a lock, so lines from concurrent tasks never
/// interleave.
public struct ZapLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput

    /// A handler writing to `output` at `level` and above.
    public init(output: LogOutput, level: Logger.Level) {
        self.output = output
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "{\"level\":\"\(Self.zapLevel(event.level))\",\"ts\":\"\(Self.timestamp())\""
        line += ",\"caller\":\"\(Self.caller(file: event.file, line: event.line))\""
        line += ",\"msg\":"
        JSONText.appendString(event.message.description, to: &line)
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let attached = event.metadata { merged.merge(attached) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            JSONText.appendValue(value, to: &line)
        }
        if let error = event.error {
            line += ",\"error\":"
            JSONText.appendString(String(describing: error), to: &line)
        }
        line += "}\n"
        self.output.write(line)
    }

    static func zapLevel(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "debug"
        case .info, .notice: return "info"
        case .warning: return "warn"
        case .error: return "error"
        case .critical: return "fatal"
        }
    }

    /// `Module/File.swift:line`, the shape of zap's short caller (`package/file.go:line`).
    static func caller(file: String, line: UInt) -> String {
        let parts = file.split(separator: "/")
        let tail = parts.suffix(2).joined(separator: "/")
        return "\(tail):\(line)"
    }

    /// ISO 8601 in UTC with milliseconds, as zap's ISO8601 time encoder writes it.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(now.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }
}

/// Where log lines go: standard error (etcd's default outside systemd), standard output, or a file.
public final class LogOutput: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    /// Standard error.
    public static let standardError = LogOutput(descriptor: 2)
    /// Standard output.
    public static let standardOutput = LogOutput(descriptor: 1)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Opens `path` for appending, creating it if needed.
    public static func file(path: String) throws(LogOutputError) -> LogOutput {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LogOutputError(path: path, errno: errno) }
        return LogOutput(descriptor: descriptor)
    }

    func write(_ line: String) {
        var line = line
        self.lock.withLock { _ in
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(self.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// A log file that could not be opened.
public struct LogOutputError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public var description: String {
        "cannot open log output \(self.path): \(String(cString: strerror(self.errno)))"
    }
}
