#if canImport(Glibc)
import Glibc
#endif

/// Monotonic and per-thread CPU clocks in nanoseconds.
enum Clock {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The cost of one timed interval (two clock reads), to subtract from measurements made of many short ones.
    static let intervalOverheadNanoseconds: Double = {
        let samples = 200_000
        var total: UInt64 = 0
        for _ in 0..<samples {
            let start = Clock.nanoseconds()
            total &+= Clock.nanoseconds() &- start
        }
        return Double(total) / Double(samples)
    }()

    static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
