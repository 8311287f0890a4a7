import EtcdProto
import Logging
import NIOCore

/// Measures the round-trip time to one peer, as etcd's prober does: a long-lived probe connection on
/// which a small frame is sent every ``PeerTransportConfiguration/probeInterval`` and timed until the
/// peer echoes it, on the connection's event loop (``ProbeRoundTripTimer``; the peer echoes on its own
/// event loop). Reconnects with backoff; ends when the peer's sender stops.
struct PeerProber {
    let sender: PeerSender
    let identity: PeerIdentity
    let connector: PeerConnector
    let observer: any PeerTrafficObserver
    let logger: Logger

    /// The bytes of a probe frame: an 8-byte sequence number.
    private static let frameBytes = 8

    func run() async {
        let hello = self.identity.hello(.probe, to: self.sender.peerID)
        let configuration = self.connector.configuration
        var backoff = Backoff(initial: configuration.initialReconnectDelay, max: configuration.probeInterval)
        var attempt = 0
        while !self.sender.isStopped && !Task.isCancelled {
            let candidates = self.sender.currentAddresses
            guard !candidates.isEmpty else { return }
            let address = candidates[attempt % candidates.count]
            attempt += 1
            do {
                let channel = try await self.connector.connect(to: address)
                let timer = ProbeRoundTripTimer()
                try await channel.channel.pipeline.addHandler(timer, position: .first).get()
                try await channel.executeThenClose { inbound, outbound in
                    var replies = inbound.makeAsyncIterator()
                    try await PeerConnector.handshake(hello, inbound: &replies, outbound: outbound)
                    backoff.reset()
                    var sequence: UInt64 = 0
                    while !self.sender.isStopped {
                        sequence += 1
                        var frame = ByteBuffer()
                        frame.writeInteger(sequence)
                        try await outbound.write(frame)
                        guard var echo = try await replies.next() else {
                            throw PeerProtocolError("the peer closed the probe connection")
                        }
                        guard echo.readableBytes == Self.frameBytes, echo.readInteger(as: UInt64.self) == sequence else {
                            throw PeerProtocolError("the peer answered a probe with something else than its echo")
                        }
                        if let roundTrip = timer.lastRoundTrip {
                            self.observer.measuredRoundTrip(roundTrip, to: self.sender.peerID)
                        }
                        try await Task.sleep(for: configuration.probeInterval)
                    }
                }
            } catch {
                self.logger.debug("probe of peer failed", metadata: ["peer": "\(hex(self.sender.peerID))", "error": "\(error)"])
                try? await Task.sleep(for: backoff.next())
            }
        }
    }
}
