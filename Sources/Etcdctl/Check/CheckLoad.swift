import EtcdClient
import EtcdProto
import Foundation

/// The writes of etcdctl's checks: each of many clients, one connection each, puts a key of `keySize` bytes
/// (the prefix, then a random number as Go's `binary.PutVarint` writes it, then zeros) with a value of
/// `valueSize` zero bytes, as the pacer allows, recording each put's latency or error.
struct CheckLoad: Sendable {
    let clients: [EtcdClient]
    let prefix: String
    let keySize: Int
    let valueSize: Int

    /// Runs the writes until `pacer` allows no more; `done` hears of each finished put.
    func run(pacer: RequestPacer, report: LatencyReport, done: @escaping @Sendable () -> Void) async {
        let value = Data(count: self.valueSize)
        await withTaskGroup(of: Void.self) { group in
            for client in self.clients {
                group.addTask {
                    while let slot = await pacer.reserve() {
                        do {
                            try await Task.sleep(until: slot)
                        } catch {
                            return
                        }
                        var put = Etcdserverpb_PutRequest()
                        put.key = Data(self.prefix.utf8) + Self.randomKey(size: self.keySize)
                        put.value = value
                        let started = ContinuousClock.now
                        var failure: String?
                        do throws(EtcdError) {
                            _ = try await client.put(put)
                        } catch {
                            failure = error.message
                        }
                        let took = ContinuousClock.now - started
                        report.record(seconds: Double(took.components.attoseconds) / 1e18 + Double(took.components.seconds), error: failure)
                        done()
                    }
                }
            }
        }
    }

    /// `size` bytes: a random non-negative 63-bit number in Go's zig-zag varint encoding, then zeros.
    static func randomKey(size: Int) -> Data {
        var bytes = [UInt8](repeating: 0, count: size)
        var number = UInt64(Int64.random(in: 0..<Int64.max)) << 1
        var index = 0
        while number >= 0x80 && index < size {
            bytes[index] = UInt8(number & 0x7F) | 0x80
            number >>= 7
            index += 1
        }
        if index < size { bytes[index] = UInt8(number) }
        return Data(bytes)
    }
}

/// When a check's next request may go: at a steady rate until a deadline (Go's rate limiter with a burst of
/// one: time lost waiting is not made up), or as soon as possible up to a count; never after ``stop()``.
actor RequestPacer {
    private enum Plan {
        case rate(interval: Duration, until: ContinuousClock.Instant)
        case count(Int)
    }

    private let plan: Plan
    private var next = ContinuousClock.now
    private var issued = 0
    private var stopped = false

    /// `perSecond` requests a second for `duration`.
    init(perSecond: Int, for duration: Duration) {
        self.plan = .rate(interval: .seconds(1) / perSecond, until: .now + duration)
    }

    /// `count` requests, at once.
    init(count: Int) {
        self.plan = .count(count)
    }

    /// The moment the next request may go; nil when there are no more.
    func reserve() -> ContinuousClock.Instant? {
        guard !self.stopped else { return nil }
        switch self.plan {
        case .rate(let interval, let deadline):
            let slot = max(self.next, .now)
            guard slot <= deadline else { return nil }
            self.next = slot + interval
            return slot
        case .count(let count):
            guard self.issued < count else { return nil }
            self.issued += 1
            return .now
        }
    }

    /// Allows no more requests.
    func stop() {
        self.stopped = true
    }
}
