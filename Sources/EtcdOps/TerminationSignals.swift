import Dispatch
import Glibc

/// SIGTERM and SIGINT as a call, for the long-running backup service: as PID 1 of its container it would
/// otherwise ignore `docker stop`'s SIGTERM and be killed at the end of the grace period.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    /// Calls `handler` on each SIGTERM or SIGINT from now until the value is released.
    init(_ handler: @escaping @Sendable () -> Void) {
        self.sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    deinit {
        for source in self.sources { source.cancel() }
    }
}
