/// Stops the process after a failed write, fsync or rename on the durable path. Never retried: after a
/// failed fsync the kernel may already have dropped the dirty pages and marked them clean, so a retry
/// could "succeed" without the data (PostgreSQL's fsyncgate), and etcd stops the member the same way.
func fatalIO(_ what: String, _ error: any Error) -> Never {
    fatalError("wal: \(what) failed: \(error)")
}
