import CAllocator

/// Keeps the member's resident memory close to what it uses, as Go's runtime scavenger does for etcd.
/// glibc's allocator keeps freed memory in its arenas and returns it to the system only from the top of each
/// heap; every few seconds the member hands the free pages inside its heaps back with `malloc_trim`.
///
/// What `malloc_trim` cannot return are holes smaller than a page between live allocations. The Raft log holds
/// each proposal's bytes (allocated on an event loop) until a snapshot compacts it, while the apply thread
/// allocates the key index's long-lived entries at the same time; in one shared arena the two interleave and
/// the compaction leaves a freed proposal between every few index entries. glibc gives each new thread an
/// arena of its own until the limit is reached; with eight, the event loops and the apply thread allocate
/// apart: one member after 100k puts held 76 MB instead of 91 with two arenas (and three members 235 MB
/// instead of 248-261).
enum MemoryScavenger {
    /// How often free heap pages go back to the system.
    static let interval: Duration = .seconds(5)

    /// The most arenas the allocator may make; glibc's own limit is eight per core.
    static let arenas: Int32 = 8

    /// Limits the allocator's arenas; call before the member starts its threads.
    static func configureAllocator() {
        #if os(Linux)
        _ = mallopt(M_ARENA_MAX, Self.arenas)
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
