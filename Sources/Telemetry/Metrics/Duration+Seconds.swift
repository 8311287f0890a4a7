extension Duration {
    /// The duration in seconds, as Prometheus records times.
    public var inSeconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
