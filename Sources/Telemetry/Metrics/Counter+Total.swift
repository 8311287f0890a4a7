import Prometheus

extension Counter {
    /// Makes the counter read `total`, a running count kept elsewhere. Only for counters a scrape's sampler
    /// alone writes: the reset and the increment are two steps.
    func setTotal(_ total: Double) {
        self.reset()
        self.increment(by: total)
    }
}
