/// A small seeded generator (Steele, Lea and Flood's SplitMix64): deterministic for a seed, with no global
/// state. Raft draws election jitter from it; tests and fault models elsewhere use it so a seed replays.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (`bound` above zero), for tests and fault models drawing choices.
    public mutating func below(_ bound: Int) -> Int {
        Int(self.next() % UInt64(bound))
    }
}
