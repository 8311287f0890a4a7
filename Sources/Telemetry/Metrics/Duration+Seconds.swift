extension Duration {
    /// The duration in seconds, as Prometheus records times.
    public var inSeconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, rounded down, as etcd records compaction pauses.
    public var wholeMilliseconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
