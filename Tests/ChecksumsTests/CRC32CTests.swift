import Checksums
import Testing

/// Bit-at-a-time CRC-32C: slow and obviously right, the reference for the table-driven one.
private func referenceCRC32C(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
    var value = ~crc
    for byte in bytes {
        value ^= UInt32(byte)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1 }
    }
    return ~value
}

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // RFC 3720 (iSCSI) appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
    }

    @Test func chainingEqualsOneCall() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let chained = CRC32C.update(CRC32C.update(0, Array(bytes[..<split])), Array(bytes[split...]))
            #expect(chained == CRC32C.checksum(bytes), "split at \(split)")
        }
    }

    @Test func matchesBitwiseReferenceAtEveryLengthAndAlignment() {
        var random = SplitMix(state: 42)
        let bytes = (0..<600).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for start in 0..<9 {
            for length in stride(from: 0, through: 300, by: 1) {
                let slice = Array(bytes[start..<(start + length)])
                let seed = UInt32(truncatingIfNeeded: random.next())
                #expect(CRC32C.update(seed, slice) == referenceCRC32C(seed, slice))
            }
        }
    }
}

/// A small deterministic generator for the test's bytes and seeds (SplitMix64).
private struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
