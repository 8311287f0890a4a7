import Raft

/// The simulation's only source of randomness: a seed fixes every choice, so a seed replays exactly.
typealias SimRandom = SplitMix64

extension SplitMix64 {
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
