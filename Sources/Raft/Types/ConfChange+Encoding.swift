/// The bytes of a ``ConfChange`` inside an entry of kind ``Entry/Kind/confChange``.
///
/// The layout is the protocol-buffer encoding of etcd's `raftpb.ConfChange` (field 1 `ID`, 2 `Type`, 3 `NodeID`,
/// 4 `Context`), so a log written by this module reads like etcd's to tools that know that message.
extension ConfChange {
    /// Encodes the change for an entry's `data`. Pure; never fails.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.fixedFieldsMaxBytes + self.context.count)
        Self.appendVarint(Self.idTag, to: &out)
        Self.appendVarint(self.id, to: &out)
        Self.appendVarint(Self.typeTag, to: &out)
        Self.appendVarint(UInt64(self.kind.wireValue), to: &out)
        Self.appendVarint(Self.nodeIDTag, to: &out)
        Self.appendVarint(self.nodeID, to: &out)
        if !self.context.isEmpty {
            Self.appendVarint(Self.contextTag, to: &out)
            Self.appendVarint(UInt64(self.context.count), to: &out)
            out.append(contentsOf: self.context)
        }
        return out
    }

    /// Decodes a change from an entry's `data`.
    ///
    /// - Throws: ``ConfChangeDecodingError`` when the bytes are truncated, malformed, or name an unknown change type.
    public init(decoding bytes: [UInt8]) throws(ConfChangeDecodingError) {
        var reader = ProtobufReader(bytes: bytes)
        var id: UInt64 = 0
        var kind = Kind.addVoter
        var nodeID: NodeID = .none
        var context: [UInt8] = []
        while !reader.isAtEnd {
            let tag = try reader.varint()
            switch tag {
            case Self.idTag: id = try reader.varint()
            case Self.typeTag:
                let raw = try reader.varint()
                guard let decoded = Kind(wireValue: raw) else { throw .unknownKind(raw) }
                kind = decoded
            case Self.nodeIDTag: nodeID = try reader.varint()
            case Self.contextTag: context = try reader.lengthDelimited()
            default: try reader.skipField(tag: tag)
            }
        }
        self.init(id: id, kind: kind, nodeID: nodeID, context: context)
    }

    private static let idTag: UInt64 = 1 << 3
    private static let typeTag: UInt64 = 2 << 3
    private static let nodeIDTag: UInt64 = 3 << 3
    private static let contextTag: UInt64 = 4 << 3 | 2
    /// Three tags and three 64-bit varints, plus the context's tag and length.
    private static let fixedFieldsMaxBytes = 3 * 11 + 11

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}

extension ConfChange.Kind {
    /// etcd's `ConfChangeType` numbering: AddNode 0, RemoveNode 1, UpdateNode 2, AddLearnerNode 3.
    fileprivate var wireValue: UInt8 {
        switch self {
        case .addVoter: 0
        case .remove: 1
        case .update: 2
        case .addLearner: 3
        }
    }

    fileprivate init?(wireValue: UInt64) {
        switch wireValue {
        case 0: self = .addVoter
        case 1: self = .remove
        case 2: self = .update
        case 3: self = .addLearner
        default: return nil
        }
    }
}

/// Why the bytes of an entry could not be decoded as a ``ConfChange``.
public struct ConfChangeDecodingError: Error, Hashable, CustomStringConvertible {
    private enum Reason: Hashable {
        case truncated
        case malformedVarint
        case unsupportedWireType(UInt64)
        case unknownKind(UInt64)
    }

    private let reason: Reason

    /// The bytes end inside a field.
    public static let truncated = ConfChangeDecodingError(reason: .truncated)
    /// A varint runs past ten bytes.
    public static let malformedVarint = ConfChangeDecodingError(reason: .malformedVarint)

    /// A field uses a protocol-buffer wire type that cannot be skipped (groups, or an undefined type).
    public static func unsupportedWireType(_ wireType: UInt64) -> ConfChangeDecodingError {
        ConfChangeDecodingError(reason: .unsupportedWireType(wireType))
    }

    /// The change type is not one of etcd's four.
    public static func unknownKind(_ value: UInt64) -> ConfChangeDecodingError {
        ConfChangeDecodingError(reason: .unknownKind(value))
    }

    public var description: String {
        switch self.reason {
        case .truncated: "raft: conf change data is truncated"
        case .malformedVarint: "raft: conf change data holds a malformed varint"
        case .unsupportedWireType(let type): "raft: conf change data uses unsupported wire type \(type)"
        case .unknownKind(let value): "raft: unknown conf change type \(value)"
        }
    }
}

/// Reads the few protocol-buffer constructs a ``ConfChange`` uses.
private struct ProtobufReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { self.position >= self.bytes.count }

    mutating func varint() throws(ConfChangeDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard self.position < self.bytes.count else { throw .truncated }
            guard shift < 64 else { throw .malformedVarint }
            let byte = self.bytes[self.position]
            self.position += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func lengthDelimited() throws(ConfChangeDecodingError) -> [UInt8] {
        let length = try self.varint()
        guard length <= UInt64(self.bytes.count - self.position) else { throw .truncated }
        let end = self.position + Int(length)
        defer { self.position = end }
        return Array(self.bytes[self.position..<end])
    }

    mutating func skipField(tag: UInt64) throws(ConfChangeDecodingError) {
        switch tag & 7 {
        case 0: _ = try self.varint()
        case 1: try self.skip(8)
        case 2: _ = try self.lengthDelimited()
        case 5: try self.skip(4)
        default: throw .unsupportedWireType(tag & 7)
        }
    }

    private mutating func skip(_ count: Int) throws(ConfChangeDecodingError) {
        guard count <= self.bytes.count - self.position else { throw .truncated }
        self.position += count
    }
}
