#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Little-endian loads and stores on byte arrays, for the fields of bbolt's pages.
extension Array where Element == UInt8 {
    /// The little-endian integer at `offset`; the caller has checked that it lies inside the array.
    func loadLittleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= self.count, "load outside the buffer")
        return self.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// Overwrites the bytes at `offset` with `value`, little-endian.
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= self.count, "store outside the buffer")
        self.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    /// Appends `value`, little-endian.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { self.append(contentsOf: $0) }
    }
}

/// Byte-string order as bbolt sorts keys: unsigned bytewise, a proper prefix first.
enum KeyOrder {
    /// -1, 0 or 1 as `a` sorts before, equal to or after `b`.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let common = min(a.count, b.count)
        let result = a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                common == 0 ? 0 : memcmp(pa.baseAddress.unsafelyUnwrapped, pb.baseAddress.unsafelyUnwrapped, common)
            }
        }
        if result != 0 {
            return result < 0 ? -1 : 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// True when `a` sorts strictly before `b`.
    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        compare(a, b) < 0
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws ``BoltError`` (the standard one only rethrows `any Error`).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(BoltError) -> R) throws(BoltError) -> R {
        let result: Result<R, BoltError> = self.withUnsafeBytes { buffer in
            do throws(BoltError) {
                return .success(try body(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
