import Glibc
import Logging
import Synchronization
import WAL

/// Keeps a member with a full disk alive: requests that would grow the data are refused with etcd's
/// no-space error while a filesystem holding the WAL or the backend has less free space than a new WAL
/// segment plus a margin, instead of letting the WAL fail a write and stop the member. Reads, deletes,
/// compactions and alarms still pass, and writes resume by themselves once space returns.
///
/// Free space is measured (`statvfs` of every directory) at most every ``samplingInterval`` while it is
/// plentiful; in between, the bytes admitted since the last measurement are subtracted from it, and once
/// that estimate comes near the reserve (or while writes are refused) every request measures again.
final class DiskSpaceGuard: Sendable {
    /// Room kept free beyond one WAL segment: snapshot files, backend growth and the entries in flight.
    static let marginBytes: Int64 = 16 * 1024 * 1024
    /// How long a measurement of plentiful free space is trusted.
    static let samplingInterval: Duration = .milliseconds(100)

    private struct Sample {
        var freeBytes: Int64
        var takenAt: ContinuousClock.Instant
        var admittedSince: Int64
    }

    private let directories: [String]
    private let reserveBytes: Int64
    private let logger: Logger
    private let refusing = Atomic<Bool>(false)
    private let sample = Mutex<Sample?>(nil)

    /// A guard over the filesystems holding `directories`.
    init(directories: [String], logger: Logger) {
        self.directories = directories
        self.reserveBytes = WALOptions.defaultSegmentSizeBytes + Self.marginBytes
        self.logger = logger
    }

    /// Whether a request adding about `costBytes` may be proposed. Logs once when refusals start and once
    /// when they end.
    func admits(costBytes: Int) -> Bool {
        let cost = Int64(costBytes)
        let now = ContinuousClock.now
        // While refusing, every request measures, so the first one admitted again is the one that logs it.
        let trusted = !self.refusing.load(ordering: .relaxed) && self.sample.withLock { sample -> Bool in
            guard var current = sample, now - current.takenAt < Self.samplingInterval,
                current.freeBytes - current.admittedSince - cost >= self.reserveBytes
            else { return false }
            current.admittedSince += cost
            sample = current
            return true
        }
        if trusted { return true }
        guard let (directory, free) = self.tightest() else { return true }
        let admitted = free >= self.reserveBytes + cost
        self.sample.withLock {
            $0 = Sample(freeBytes: free, takenAt: now, admittedSince: admitted ? cost : 0)
        }
        let wasRefusing = self.refusing.exchange(!admitted, ordering: .relaxed)
        if !admitted && !wasRefusing {
            self.logger.warning(
                "refusing writes: the disk is nearly full",
                metadata: ["path": "\(directory)", "free-bytes": "\(free)", "required-free-bytes": "\(self.reserveBytes)"]
            )
        } else if admitted && wasRefusing {
            self.logger.info("accepting writes again: disk space returned", metadata: ["path": "\(directory)", "free-bytes": "\(free)"])
        }
        return admitted
    }

    /// The directory whose filesystem has the least space available to this process, and that space.
    private func tightest() -> (String, Int64)? {
        var tightest: (String, Int64)?
        for directory in self.directories {
            var stats = statvfs()
            guard statvfs(directory, &stats) == 0 else { continue }
            let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
            if tightest.map({ free < $0.1 }) ?? true { tightest = (directory, free) }
        }
        return tightest
    }
}
