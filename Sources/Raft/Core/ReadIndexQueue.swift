/// A leader's read-index requests waiting for a quorum to confirm its leadership (Raft thesis §6.4).
///
/// Each request joins a numbered round; a heartbeat carries the latest round in its context and a follower's
/// response echoes it. A round is confirmed once a quorum of voters has echoed it or a later one, and confirming a
/// round releases every request up to it, because their heartbeats went out after they were registered. Numbering
/// never restarts, so an echo from an earlier leadership cannot confirm a later round.
///
/// Example: reads A and B join round 7 and one heartbeat carries 7; read C joins round 8. Echoes of 7 from a quorum
/// release A and B; C waits for echoes of 8.
struct ReadIndexQueue {
    struct Request {
        let round: UInt64
        /// The leader's commit index when the request arrived: the index the reader must apply up to.
        let index: UInt64
        /// Who asked: this member or a follower that forwarded its request.
        let from: NodeID
        let context: [UInt8]
    }

    private var pending: [Request] = []
    /// Released requests before `head` stay in `pending` until enough pile up to be worth moving the rest.
    private var head = 0
    private static let compactionThreshold = 64
    /// Requests that arrived before the leader committed an entry of its term, when its commit index may still
    /// lag the true one; they are registered once it has.
    private(set) var awaitingTermCommit: [(from: NodeID, context: [UInt8])] = []
    private(set) var lastRound: UInt64 = 0
    /// A round was opened since the last heartbeat.
    var heartbeatPending = false

    var count: Int { self.pending.count - self.head + self.awaitingTermCommit.count }

    var hasPendingRounds: Bool { self.head < self.pending.count }

    /// Opens a round for a request (reusing the open one if no heartbeat carried it yet) and returns its number.
    mutating func register(index: UInt64, from: NodeID, context: [UInt8]) -> UInt64 {
        if !self.heartbeatPending {
            self.lastRound += 1
            self.heartbeatPending = true
        }
        self.pending.append(Request(round: self.lastRound, index: index, from: from, context: context))
        return self.lastRound
    }

    mutating func deferUntilTermCommit(from: NodeID, context: [UInt8]) {
        self.awaitingTermCommit.append((from, context))
    }

    mutating func takeAwaitingTermCommit() -> [(from: NodeID, context: [UInt8])] {
        defer { self.awaitingTermCommit = [] }
        return self.awaitingTermCommit
    }

    /// Removes and returns the requests of rounds up to `round`, oldest first.
    mutating func release(upTo round: UInt64) -> ArraySlice<Request> {
        let start = self.head
        while self.head < self.pending.count && self.pending[self.head].round <= round {
            self.head += 1
        }
        let released = self.pending[start..<self.head]
        if self.head == self.pending.count {
            self.pending = []
            self.head = 0
        } else if self.head >= Self.compactionThreshold && self.head * 2 >= self.pending.count {
            self.pending.removeFirst(self.head)
            self.head = 0
        }
        return released
    }

    /// The heartbeat context that names the latest round.
    var roundContext: [UInt8] {
        withUnsafeBytes(of: self.lastRound.littleEndian) { Array($0) }
    }

    /// Reads the round a heartbeat response echoes, if its context holds one.
    static func round(fromContext context: [UInt8]) -> UInt64? {
        guard context.count == MemoryLayout<UInt64>.size else { return nil }
        var value: UInt64 = 0
        for (shift, byte) in context.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }

    /// Forgets all requests (the member stopped leading); their owners time out and retry.
    mutating func reset() {
        self.pending = []
        self.head = 0
        self.awaitingTermCommit = []
        self.heartbeatPending = false
    }
}
