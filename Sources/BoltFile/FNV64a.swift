/// FNV-1a, 64-bit: the checksum bbolt stores in each meta page over the meta fields before it.
enum FNV64a {
    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash of `bytes[range]`.
    static func hash(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        var value = offsetBasis
        for index in range {
            value = (value ^ UInt64(bytes[index])) &* prime
        }
        return value
    }
}
