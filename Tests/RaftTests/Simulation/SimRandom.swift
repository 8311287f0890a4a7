/// The simulation's only source of randomness (SplitMix64): a seed fixes every choice, so a seed replays exactly.
struct SimRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        Double(self.next() >> 11) / Double(1 << 53) < probability
    }

    /// A value in `0 ..< bound`.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(self.next() % UInt64(bound))
    }

    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(self.next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[self.below(items.count)]
    }
}
