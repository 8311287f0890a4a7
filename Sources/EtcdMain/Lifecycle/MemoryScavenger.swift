import CAllocator

/// Keeps the member's resident memory close to what it uses, as Go's runtime scavenger does for etcd.
/// glibc's allocator keeps freed memory in its arenas (one per thread that ever contended, up to eight per
/// core) and returns it to the system only from the top of each heap; ours frees many small buffers on
/// every thread (requests, Raft entries, responses). So the member limits itself to two arenas and, every
/// few seconds, hands the free pages inside its heaps back with `malloc_trim`.
enum MemoryScavenger {
    /// How often free heap pages go back to the system.
    static let interval: Duration = .seconds(5)

    /// Limits the allocator to two arenas; call before the member starts its threads.
    static func configureAllocator() {
        #if os(Linux)
        _ = mallopt(M_ARENA_MAX, 2)
        #endif
    }

    /// Returns free heap pages every ``interval`` until cancelled.
    static func run() async {
        #if os(Linux)
        while (try? await Task.sleep(for: Self.interval)) != nil {
            _ = malloc_trim(0)
        }
        #endif
    }
}
