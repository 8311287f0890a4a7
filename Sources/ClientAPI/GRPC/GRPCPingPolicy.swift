/// grpc-go's keepalive enforcement, which etcd configures with `--grpc-keepalive-min-time`: a client ping
/// sooner than the minimum interval after the previous one (two hours when the connection has no calls,
/// since etcd does not permit pings without streams) is a strike; the third strike in a row closes the
/// connection with `too_many_pings`. Sending headers or data forgives the strikes, as in grpc-go, which
/// forgives on every DATA frame it writes out: a client's WINDOW_UPDATE, which releases data flow control held
/// back, forgives too (a large snapshot stream is sent that way while the client sends a BDP ping per burst).
struct GRPCPingPolicy {
    /// The interval grpc-go requires between pings on a connection without calls.
    static let intervalWithoutCalls: Duration = .seconds(7_200)
    private static let maximumStrikes = 2

    let minimumInterval: Duration
    private var lastPing: ContinuousClock.Instant?
    private var strikes = 0
    private var forgiven = false

    /// A policy requiring `minimumInterval` between pings while calls are open.
    init(minimumInterval: Duration) {
        self.minimumInterval = minimumInterval
    }

    /// The server wrote headers or data: the next ping is not judged.
    mutating func responded() {
        self.forgiven = true
    }

    /// A ping arrived at `now` while `activeCalls` calls were open; true if the connection must be closed.
    mutating func receivedPing(at now: ContinuousClock.Instant, activeCalls: Int) -> Bool {
        let previous = self.lastPing
        self.lastPing = now
        if self.forgiven {
            self.forgiven = false
            self.strikes = 0
            return false
        }
        let required = activeCalls == 0 ? Self.intervalWithoutCalls : self.minimumInterval
        if let previous, previous + required > now {
            self.strikes += 1
        }
        return self.strikes > Self.maximumStrikes
    }
}
