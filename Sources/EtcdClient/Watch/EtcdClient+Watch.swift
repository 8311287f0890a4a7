import EtcdProto

/// The Watch service: every watch of a client shares one stream (see ``WatchMux``).
extension EtcdClient {
    /// Watches `key` (a range or a prefix by `options`): one answer per revision with events (created
    /// answers are not yielded; progress answers are, with no events). Ends when the caller stops
    /// iterating, with ``WatchCompactedError`` when the history it needs was compacted, or with the
    /// member's reason when the member cancels it; it survives the loss of its member.
    public func watch(_ key: [UInt8], options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<Etcdserverpb_WatchResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Etcdserverpb_WatchResponse, any Error>.makeStream()
        let mux = self.watchMux
        let id = mux.add(key: key, options: options, output: continuation)
        continuation.onTermination = { _ in mux.remove(id) }
        return stream
    }

    /// ``watch(_:options:)`` of a key given as text.
    public func watch(_ key: String, options: WatchOptions = WatchOptions()) -> AsyncThrowingStream<Etcdserverpb_WatchResponse, any Error> {
        self.watch(Array(key.utf8), options: options)
    }

    /// Asks the member for a progress answer on every watch of this client.
    public func requestWatchProgress() {
        self.watchMux.requestProgress()
    }
}
