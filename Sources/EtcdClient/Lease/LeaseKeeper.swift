import EtcdGRPC
import EtcdProto
import GRPCCore
import Synchronization

/// The loop behind ``EtcdClient/keepAlive(_:)``: one keep-alive stream at a time on the pinned member,
/// renewing every third of the TTL, failing over when the stream breaks, and giving up once the lease
/// has certainly expired. With credentials, each stream opens after a fresh authentication, and a
/// member's refusal to authenticate ends the keep-alive with its error.
struct LeaseKeeper: Sendable {
    let client: EtcdClient
    let id: Int64
    let continuation: AsyncThrowingStream<Etcdserverpb_LeaseKeepAliveResponse, any Error>.Continuation

    private final class Progress: Sendable {
        /// When the lease expires at the latest, by the last renewal answered.
        let expiry = Mutex<ContinuousClock.Instant?>(nil)
        /// Seconds between renewals (a third of the TTL, at least one).
        let interval = Mutex<Duration>(.milliseconds(500))
    }

    func run() async {
        let progress = Progress()
        var failures = 0
        while !Task.isCancelled {
            let index = self.client.connectionIndex
            do {
                try await self.client.renewTokenForStream()
                try await self.stream(on: self.client.connections[index], progress: progress)
                return
            } catch let error as EtcdError where error.isRefusal {
                self.continuation.finish(throwing: error)
                return
            } catch {
                if Task.isCancelled { break }
                if let expiry = progress.expiry.withLock({ $0 }), ContinuousClock.now >= expiry {
                    self.continuation.finish(throwing: EtcdError.leaseExpired)
                    return
                }
                self.client.failOver(from: index)
                failures += 1
                try? await Task.sleep(for: .milliseconds(min(50 * failures, 500)))
            }
        }
        self.continuation.finish()
    }

    /// One keep-alive stream: sends renewals until cancelled; throws when the stream fails.
    private func stream(on connection: EndpointConnection, progress: Progress) async throws {
        var renewal = Etcdserverpb_LeaseKeepAliveRequest()
        renewal.id = self.id
        let request = renewal
        let continuation = self.continuation
        try await Etcdserverpb_Lease.Client(wrapping: connection.client).leaseKeepAlive(
            requestProducer: { writer in
                while true {
                    try await writer.write(request)
                    try await Task.sleep(for: progress.interval.withLock { $0 })
                }
            }
        ) { response in
            for try await message in response.messages {
                guard message.ttl > 0 else { throw EtcdError.leaseExpired }
                progress.expiry.withLock { $0 = ContinuousClock.now + .seconds(message.ttl) }
                progress.interval.withLock { $0 = .seconds(max(1, message.ttl / 3)) }
                continuation.yield(message)
            }
            throw EtcdError(.unavailable, "the keep-alive stream ended")
        }
    }
}
