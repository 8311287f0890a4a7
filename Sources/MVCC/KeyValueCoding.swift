import Foundation
import EtcdProto
import SwiftProtobuf

/// Encoding and decoding of the key database's values (`mvccpb.KeyValue`, as etcd stores them).
enum KeyValueCoding {
    /// The first byte of every stored `KeyValue`: the tag of its key (field 1, length-delimited), which
    /// etcd never leaves empty.
    static let keyTag: UInt8 = 0x0A

    static func encode(_ keyValue: Mvccpb_KeyValue) -> [UInt8] {
        do {
            return try keyValue.serializedBytes()
        } catch {
            preconditionFailure("encoding a KeyValue cannot fail: \(error)")
        }
    }

    /// Decodes a stored value; nil when the bytes are not a `KeyValue`.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Mvccpb_KeyValue? {
        try? Mvccpb_KeyValue(serializedBytes: RawSpan(_unsafeBytes: bytes))
    }

    /// The stored value of a delete: etcd stores a `KeyValue` holding only the key.
    static func tombstone(_ key: [UInt8]) -> Mvccpb_KeyValue {
        var keyValue = Mvccpb_KeyValue()
        keyValue.key = Data(key)
        return keyValue
    }
}
