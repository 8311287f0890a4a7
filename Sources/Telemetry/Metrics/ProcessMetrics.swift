import Foundation
import Prometheus

/// The `process_*` metrics of Prometheus' Linux process collector, read from `/proc/self` at each scrape.
public struct ProcessMetrics: Sendable {
    private let cpuSeconds: Counter
    private let openFileDescriptors: Gauge
    private let maxFileDescriptors: Gauge
    private let residentMemoryBytes: Gauge
    private let virtualMemoryBytes: Gauge
    private let virtualMemoryMaxBytes: Gauge
    private let startTimeSeconds: Gauge

    init(registry: PrometheusCollectorRegistry) {
        self.cpuSeconds = registry.counter(
            name: "process_cpu_seconds_total",
            help: "Total user and system CPU time spent in seconds."
        )
        self.openFileDescriptors = registry.gauge(name: "process_open_fds", help: "Number of open file descriptors.")
        self.maxFileDescriptors = registry.gauge(name: "process_max_fds", help: "Maximum number of open file descriptors.")
        self.residentMemoryBytes = registry.gauge(
            name: "process_resident_memory_bytes",
            help: "Resident memory size in bytes."
        )
        self.virtualMemoryBytes = registry.gauge(
            name: "process_virtual_memory_bytes",
            help: "Virtual memory size in bytes."
        )
        self.virtualMemoryMaxBytes = registry.gauge(
            name: "process_virtual_memory_max_bytes",
            help: "Maximum amount of virtual memory available in bytes."
        )
        self.startTimeSeconds = registry.gauge(
            name: "process_start_time_seconds",
            help: "Start time of the process since unix epoch in seconds."
        )
    }

    /// Reads the process' figures and sets the series; a figure that cannot be read keeps its last value.
    /// Returns the open and maximum file descriptor counts for etcd's `os_fd_*` gauges.
    @discardableResult
    func sample() -> (open: Int, limit: Int)? {
        if let stat = ProcessStat.read() {
            self.cpuSeconds.setTotal(stat.cpuSeconds)
            self.residentMemoryBytes.set(to: Double(stat.residentBytes))
            self.virtualMemoryBytes.set(to: Double(stat.virtualBytes))
            self.startTimeSeconds.set(to: stat.startTimeSeconds)
        }
        let limits = ProcessStat.limits()
        if let limit = limits?.addressSpace {
            self.virtualMemoryMaxBytes.set(to: limit)
        }
        guard let open = ProcessStat.openFileDescriptors(), let limit = limits?.openFiles else {
            return nil
        }
        self.openFileDescriptors.set(to: Double(open))
        self.maxFileDescriptors.set(to: limit)
        return (open, limit >= Double(Int.max) ? Int.max : Int(limit))
    }
}

/// What `/proc/self/stat`, `/proc/self/limits` and `/proc/self/fd` say of this process.
struct ProcessStat {
    var cpuSeconds: Double
    var residentBytes: Int
    var virtualBytes: Int
    var startTimeSeconds: Double

    static func read() -> ProcessStat? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name, which may itself hold spaces; the first of them is field 3 (state).
        let fields = text[text.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24), let bootTime = Self.bootTimeSeconds
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessStat(
            cpuSeconds: (user + system) / ticks,
            residentBytes: Int(resident) * Int(sysconf(Int32(_SC_PAGESIZE))),
            virtualBytes: Int(virtual),
            startTimeSeconds: bootTime + start / ticks
        )
    }

    /// The soft limits on address space and open files in `/proc/self/limits`, read in one go; for
    /// `unlimited`, the largest 64-bit value, as Go's procfs reads it.
    static func limits() -> (addressSpace: Double?, openFiles: Double?)? {
        guard let text = try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        func soft(_ name: String) -> Double? {
            guard let line = lines.first(where: { $0.hasPrefix(name) }) else { return nil }
            let value = line.dropFirst(name.count).split(separator: " ").first
            return value == "unlimited" ? Double(UInt64.max) : value.flatMap { Double($0) }
        }
        return (soft("Max address space"), soft("Max open files"))
    }

    static func openFileDescriptors() -> Int? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        return names.count
    }

    /// When the machine booted (`btime` of `/proc/stat`), read once.
    private static let bootTimeSeconds: Double? = {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count))
        }
        return nil
    }()
}
