/// Protobuf's wire format written by hand, for messages assembled from parts that are already encoded (the
/// key-values a range copies as stored, the event lists watchers share) and for compact records of our own.
public enum ProtobufWire {
    /// Appends `value` as a base-128 varint.
    @inlinable
    public static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Appends field `field` holding the varint `value` (int64, uint64, bool and enum fields).
    @inlinable
    public static func appendVarint(field: UInt64, _ value: UInt64, to bytes: inout [UInt8]) {
        appendVarint(field << 3, to: &bytes)
        appendVarint(value, to: &bytes)
    }

    /// Appends field `field` holding the length-delimited `value` (bytes, strings and embedded messages).
    @inlinable
    public static func appendLengthDelimited(field: UInt64, _ value: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &bytes)
        appendVarint(UInt64(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }

    /// Appends field `field` holding the length-delimited `value`.
    @inlinable
    public static func appendLengthDelimited(field: UInt64, _ value: [UInt8], to bytes: inout [UInt8]) {
        value.withUnsafeBytes { appendLengthDelimited(field: field, $0, to: &bytes) }
    }
}
