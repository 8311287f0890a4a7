import NIOCore
import Synchronization

/// Carries a streaming call's output to its HTTP response one piece at a time.
///
/// The call offers each encoded message and waits until the response side has taken it; the response side
/// takes a piece only after writing the one before to the connection. So a slow client slows the call, and
/// no more pieces wait in between than the call has writers (a watch has two). When the response side goes
/// away it closes the relay: waiting and later offers throw `CancellationError`.
final class GatewayStreamRelay: Sendable {
    /// What the call hands over.
    enum Piece: Sendable, Equatable {
        /// Bytes of the body: a `{"result":…}` line.
        case chunk(ByteBuffer)
        /// The call ended: successfully (`nil`) or with this status. Nothing follows.
        case finished(GatewayStatus?)
    }

    private struct Offer {
        var piece: Piece
        var taken: CheckedContinuation<Void, any Error>?
    }

    private struct State {
        var offers: [Offer] = []
        var reader: CheckedContinuation<Piece, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// An open relay.
    init() {}

    /// Hands `bytes` over; returns once the response side has taken them. Throws once the relay is closed.
    func offer(_ bytes: ByteBuffer) async throws {
        try await withCheckedThrowingContinuation { (taken: CheckedContinuation<Void, any Error>) in
            self.deliver(Offer(piece: .chunk(bytes), taken: taken))
        }
    }

    /// Says how the call ended, without waiting to be taken.
    func finish(_ status: GatewayStatus?) {
        self.deliver(Offer(piece: .finished(status), taken: nil))
    }

    /// The next piece, waiting for one; `.finished(nil)` once the relay is closed.
    func next() async -> Piece {
        await withCheckedContinuation { (reader: CheckedContinuation<Piece, Never>) in
            let offer: Offer? = self.state.withLock { state in
                if !state.offers.isEmpty { return state.offers.removeFirst() }
                if state.closed { return Offer(piece: .finished(nil), taken: nil) }
                precondition(state.reader == nil, "one reader at a time")
                state.reader = reader
                return nil
            }
            if let offer {
                offer.taken?.resume()
                reader.resume(returning: offer.piece)
            }
        }
    }

    /// The response side has gone: fails the pieces waiting and every later offer, and wakes a waiting reader.
    func close() {
        let (offers, reader) = self.state.withLock { state in
            state.closed = true
            defer {
                state.offers = []
                state.reader = nil
            }
            return (state.offers, state.reader)
        }
        for offer in offers {
            offer.taken?.resume(throwing: CancellationError())
        }
        reader?.resume(returning: .finished(nil))
    }

    private func deliver(_ offer: Offer) {
        enum Outcome {
            case handed(CheckedContinuation<Piece, Never>)
            case refused
            case queued
        }
        let outcome: Outcome = self.state.withLock { state in
            if state.closed { return .refused }
            if let reader = state.reader {
                state.reader = nil
                return .handed(reader)
            }
            state.offers.append(offer)
            return .queued
        }
        switch outcome {
        case .handed(let reader):
            offer.taken?.resume()
            reader.resume(returning: offer.piece)
        case .refused:
            offer.taken?.resume(throwing: CancellationError())
        case .queued:
            break
        }
    }
}
