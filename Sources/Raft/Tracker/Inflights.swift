/// The append messages in flight to one follower while the leader replicates optimistically: a ring of the last
/// index each message carried and its bytes, bounded by a count and a byte total.
struct Inflights {
    private struct Flight {
        var lastIndex: UInt64
        var bytes: Int
    }

    private var ring: [Flight] = []
    private var start = 0
    private(set) var count = 0
    private(set) var bytes = 0
    let maxCount: Int
    let maxBytes: Int

    init(maxCount: Int, maxBytes: Int) {
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    /// No further message may be sent until a flight is acknowledged.
    var isFull: Bool {
        self.count == self.maxCount || (self.count > 0 && self.bytes >= self.maxBytes)
    }

    /// Records a message carrying entries up to `lastIndex`. Indexes must increase.
    mutating func add(lastIndex: UInt64, bytes: Int) {
        precondition(!self.isFull, "adding to full inflights")
        let flight = Flight(lastIndex: lastIndex, bytes: bytes)
        if self.count == self.ring.count {
            // Grows lazily so idle followers cost nothing; straightens the ring first so order survives growth.
            if self.start != 0 {
                self.ring = Array(self.ring[self.start...] + self.ring[..<self.start])
                self.start = 0
            }
            self.ring.append(flight)
        } else {
            self.ring[(self.start + self.count) % self.ring.count] = flight
        }
        self.count += 1
        self.bytes += bytes
    }

    /// Forgets the flights whose entries end at or below `index`: the follower acknowledged them.
    mutating func free(upTo index: UInt64) {
        while self.count > 0 {
            let flight = self.ring[self.start]
            if flight.lastIndex > index { break }
            self.bytes -= flight.bytes
            self.start = (self.start + 1) % self.ring.count
            self.count -= 1
        }
        if self.count == 0 { self.start = 0 }
    }

    /// Forgets the oldest flight, so a follower whose acknowledgements were lost can make progress.
    mutating func freeFirst() {
        guard self.count > 0 else { return }
        self.free(upTo: self.ring[self.start].lastIndex)
    }

    mutating func reset() {
        self.start = 0
        self.count = 0
        self.bytes = 0
    }
}
